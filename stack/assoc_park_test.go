package stack

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/idlemem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIdleLoopParks: between rounds no goroutine runs an association's
// loop; after idleAfter without work it trims its buffers; a message, a
// deadline or an API call runs rounds again.
func TestIdleLoopParks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ca, sa := simPair(t, 1, Config{}, Config{})
		echo := func() {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			require.NoError(t, ca.SendMsg(ctx, []byte("ping"), SendInfo{PPID: 7}))
			buf := make([]byte, 16)
			n, info, err := sa.RecvMsg(ctx, buf)
			require.NoError(t, err)
			assert.Equal(t, "ping", string(buf[:n]))
			assert.Equal(t, uint32(7), info.PPID)
		}
		parked := func(a *Association) bool { return a.own.Load() == ownFree }
		echo()
		synctest.Wait()
		assert.True(t, parked(ca) && parked(sa), "a goroutine still runs rounds after the exchange")
		var ring []outChunk
		require.True(t, ca.exec(func(time.Time) { ring = ca.tx.ring.buf }))
		assert.NotNil(t, ring, "the retransmission ring trimmed before idleAfter")
		time.Sleep(2 * idleAfter)
		synctest.Wait()
		require.True(t, ca.exec(func(time.Time) { ring = ca.tx.ring.buf }))
		assert.Nil(t, ring, "the idle sender keeps its retransmission ring")

		echo() // the parked loops run again
		time.Sleep(2 * idleAfter)
		synctest.Wait()
		assert.True(t, parked(ca) && parked(sa), "not parked after the second message")
		assert.Equal(t, uint64(2), ca.Stats().MessagesSent)

		// Heartbeats keep coming from a parked loop's timer.
		before := sa.Stats().HeartbeatsSent
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		assert.Greater(t, sa.Stats().HeartbeatsSent, before, "no heartbeat from a parked association")
		require.NoError(t, ca.Close())
		<-sa.Done()
	})
}

// TestOnRecv: the hook is called when a message arrives and when the
// association ends, and a read with a done context takes what is queued
// without waiting.
func TestOnRecv(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ca, sa := simPair(t, 1, Config{}, Config{})
		calls := make(chan struct{}, 8)
		sa.OnRecv(func() { calls <- struct{}{} })
		done, cancel := context.WithCancel(t.Context())
		cancel()
		buf := make([]byte, 16)
		_, _, err := sa.RecvMsg(done, buf)
		require.ErrorIs(t, err, context.Canceled, "a read with a done context waited or found a message")

		require.NoError(t, ca.SendMsg(t.Context(), []byte("hello"), SendInfo{}))
		<-calls
		n, _, err := sa.RecvMsg(done, buf)
		require.NoError(t, err)
		assert.Equal(t, "hello", string(buf[:n]))

		require.NoError(t, ca.Close())
		<-sa.Done()
		<-calls
		_, _, err = sa.RecvMsg(done, buf)
		assert.NotErrorIs(t, err, context.Canceled, "a read after the end should report the end")
	})
}

// TestIdleBeforeQuiet: the idle benchmarks measure an association
// idlemem.Quiet after its last message, by which time it must have
// parked.
func TestIdleBeforeQuiet(t *testing.T) {
	assert.Less(t, idleAfter, idlemem.Quiet)
}

// TestTimerOnlyEarlier: a deadline moved later leaves the timer where it
// is, one moved earlier resets it, and once the timer's deadline has
// passed the next deadline arms it again, later or not.
func TestTimerOnlyEarlier(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var a Association // no round may run: the timer is stopped before it fires
		now := time.Now()
		at := func(d time.Duration) time.Time { return now.Add(d) }
		a.rx.sackDue = at(100 * time.Millisecond)
		a.armTimer(now)
		require.NotNil(t, a.timer)
		defer a.stopTimer()
		assert.Equal(t, at(100*time.Millisecond), a.timerAt)

		a.rx.sackDue = at(300 * time.Millisecond)
		a.armTimer(now)
		assert.Equal(t, at(100*time.Millisecond), a.timerAt, "a later deadline moved the timer")

		a.rx.sackDue = at(50 * time.Millisecond)
		a.armTimer(now)
		assert.Equal(t, at(50*time.Millisecond), a.timerAt, "an earlier deadline did not move the timer")

		a.rx.sackDue = time.Time{}
		a.armTimer(now)
		assert.Equal(t, at(50*time.Millisecond), a.timerAt, "no deadline moved the timer")

		a.rx.sackDue = at(300 * time.Millisecond)
		a.armTimer(at(60 * time.Millisecond)) // the round the timer ran
		assert.Equal(t, at(300*time.Millisecond), a.timerAt, "a passed timer was not armed again")
	})
}
