package stack

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A broadcast wakes every waiter registered before it, once.
func TestNotifierWakesAll(t *testing.T) {
	var n notifier
	chs := []chan struct{}{n.wait(), n.wait(), n.wait()}
	n.broadcast()
	for _, ch := range chs {
		require.Len(t, ch, 1, "every waiter has its token")
		<-ch
		n.done(ch)
	}
	require.Empty(t, n.waiters)
}

// A waiter that stopped waiting before the broadcast (its context ended)
// leaves no token behind for the next user of its channel, and one that
// stopped after it neither.
func TestNotifierInterruptedWaiter(t *testing.T) {
	var n notifier
	early := n.wait()
	n.done(early) // interrupted: no broadcast yet
	require.Empty(t, n.waiters)
	n.broadcast() // nobody to wake

	late := n.wait()
	n.broadcast()
	n.done(late) // gave up just as the token came

	next := n.wait()
	require.Empty(t, next, "a recycled channel starts without a token")
	n.done(next)
}
