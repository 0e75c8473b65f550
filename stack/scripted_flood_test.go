package stack

// A flood of one-byte DATA chunks with holes, so that nothing can be
// delivered, must stay within the receive window counted as Linux counts
// it: with a per-chunk overhead, not payload bytes only (issue 9, finding
// 4). Once the holes are filled and the messages read, the memory is
// returned.

import (
	"context"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// heapInUse returns the live heap after a full collection (two, so that
// sync.Pool victims go too).
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// floodRig is an association of the scripted peer that floods it.
type floodRig struct {
	t    *testing.T
	r    *rig
	a    *Association
	s    *session
	base uint32 // the first TSN of the flood
}

const floodPerPacket = 64 // one-byte DATA chunks per packet

// newFlood connects from SCTP port port and checks the association works.
func newFlood(t *testing.T, r *rig, port uint16) *floodRig {
	r.peer.port = port
	a, s := r.connect()
	r.expectData(s)
	return &floodRig{t: t, r: r, a: a, s: s, base: s.tsn}
}

// send sends n one-byte unordered fragments with flags, the jth with TSN
// tsn(j), reading whatever is delivered and dropping the answers.
func (f *floodRig) send(n int, tsn func(j int) uint32, flags wire.DataFlags) {
	for i := 0; i < n; i += floodPerPacket {
		var cs []chunk
		for j := i; j < min(i+floodPerPacket, n); j++ {
			cs = append(cs, &wire.Data{Flags: flags | wire.FlagUnordered, TSN: tsn(j), PPID: 42, Payload: []byte{'x'}})
		}
		f.r.peer.send(f.s.epTag, cs...)
		// One packet at a time: the simulated network keeps the buffers
		// of as many packets as were ever in flight at once, and those
		// are not the association's memory.
		synctest.Wait()
		discardQueued(f.r.peer) // the SACKs
		readReady(f.a)
	}
}

// holes sends n first fragments, each followed by a hole, and returns how
// many the association took.
func (f *floodRig) holes(n int) int {
	f.send(n, func(j int) uint32 { return f.base + 2*uint32(j) }, wire.FlagBegin)
	var highest uint32
	f.a.exec(func(time.Time) { highest = f.a.rx.tsns.highest() })
	return int(highest-f.base)/2 + 1
}

// fill sends the last fragments of the first n messages, into the holes.
func (f *floodRig) fill(n int) {
	f.send(n, func(j int) uint32 { return f.base + 2*uint32(j) + 1 }, wire.FlagEnd)
}

// TestHoleFloodMemoryBound: the peer sends 100,000 one-byte first
// fragments of unordered messages, each followed by a hole. The
// association may hold no more memory than its receive buffer (256 KiB)
// plus 64 KiB for the arena block and slack; after the peer fills the
// holes and the application reads every message, at most 64 KiB stay. A
// first association floods the same way and is aborted beforehand, so
// that the buffer pools of the simulated network and of the endpoint are
// warm and measured in neither figure.
func TestHoleFloodMemoryBound(t *testing.T) {
	const (
		recvBuffer = 256 << 10
		flood      = 100_000
		slack      = 64 << 10
	)
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.RecvBuffer = recvBuffer
		r := newRig(t, cfg)

		warm := newFlood(t, r, peerPort)
		warm.holes(flood)
		r.peer.send(warm.s.epTag, &wire.Abort{})
		waitDone(t, warm.a)

		f := newFlood(t, r, peerPort+1)
		before := heapInUse()
		accepted := f.holes(flood)
		held := heapInUse() - before
		t.Logf("flood of %d chunks: %d accepted, %d KiB held, %d dropped", flood, accepted, held>>10, f.a.Stats().DataDropped)
		if held > recvBuffer+slack {
			t.Errorf("the flood holds %d KiB, want at most %d KiB", held>>10, (recvBuffer+slack)>>10)
		}

		f.fill(accepted)
		if got, want := f.a.Stats().MessagesReceived, uint64(accepted+1); got != want {
			t.Fatalf("%d messages delivered, want %d", got, want)
		}
		left := heapInUse() - before
		t.Logf("after the holes were filled and every message read: %d KiB", left>>10)
		if left > slack {
			t.Errorf("%d KiB still held after every message was read, want at most %d KiB", left>>10, slack>>10)
		}
	})
}

// readReady reads every message a has ready.
func readReady(a *Association) {
	buf := make([]byte, 16)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for {
		if _, _, err := a.RecvMsg(ctx, buf); err != nil {
			return
		}
	}
}

// discardQueued drops the packets the scripted peer has received.
func discardQueued(p *peer) {
	for len(p.in) > 0 {
		<-p.in
	}
}
