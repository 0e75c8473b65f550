package stack

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// The receive buffer doubles after a buffer's worth of data in which the
// peer was held up by the window and the application kept up, and only
// then; no further than RecvBufferMax or the limit given; it halves back
// once the queues hold more than half of it, while what arriving data may
// fill stays the largest buffer offered. A window cut to the endpoint's
// share does not count as holding the peer up.
func TestRxTune(t *testing.T) {
	var r rxTune
	r.init(1000)
	require.Equal(t, 1000, r.room(1000, 4000), "room beyond RecvBuffer before any growth")
	grow := func(view, queued, limit int) int {
		r.received(r.buf, view)
		r.adjust(queued, 1000, 4000, limit)
		return r.buf
	}
	r.received(999, 100)
	r.adjust(0, 1000, 4000, math.MaxInt)
	require.Equal(t, 1000, r.buf, "grew before a buffer's worth arrived")
	r.received(1, 100)
	r.adjust(0, 1000, 4000, math.MaxInt)
	require.Equal(t, 2000, r.buf, "a held-up peer, an application that keeps up")
	require.Equal(t, 2000, grow(500, 0, math.MaxInt), "the peer's window never fell below a quarter")
	require.Equal(t, 1000, grow(100, 1001, math.MaxInt), "queues hold more than half: shrinks, not grows")
	r.init(1000)
	require.Equal(t, 1000, grow(100, 501, math.MaxInt), "grew with the application behind")
	require.Equal(t, 2000, grow(100, 500, math.MaxInt))
	require.Equal(t, 3000, grow(100, 0, 3000), "beyond the limit")
	require.Equal(t, 3000, grow(100, 0, 2000), "a limit below the buffer shrank it")
	require.Equal(t, 4000, grow(100, 0, math.MaxInt))
	require.Equal(t, 4000, grow(100, 0, math.MaxInt), "beyond RecvBufferMax")
	r.adjust(2001, 1000, 4000, math.MaxInt)
	require.Equal(t, 2000, r.buf, "the application fell behind")
	require.Equal(t, 4000, r.room(1000, 4000), "data sent into the larger window would be dropped")
	r.capped = true
	require.Equal(t, 2000, grow(0, 0, math.MaxInt), "grew under the endpoint's share")
}
