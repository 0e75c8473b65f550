package stack

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// FuzzAssociation drives a live association with packets built from the
// fuzz input: raw chunks of any type and length, DATA and SACK chunks near
// the TSNs in use, forward TSNs, and pauses that let timers run. The
// association must never panic, must answer only with packets that parse
// (the scripted peer checks every one), and must end up either alive and
// answering or closed with a reason.
func FuzzAssociation(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 5, 2, 1, 3, 10})
	f.Add([]byte{0, 0x0c, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, 3, 200})
	f.Add([]byte{2, 0, 3, 1, 2, 1, 1, 1, 0, 3, 50, 4, 1, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		synctest.Test(t, func(t *testing.T) {
			r := newRig(t, scriptedConfig())
			a, s := r.connect()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			drained := drainAll(ctx, a)
			fz := fuzzPeer{r: r, s: s, in: in}
			fz.run()
			time.Sleep(time.Minute) // let every timer run
			fz.discard()
			select {
			case <-a.Done():
				if a.Err() == nil && a.Stats().State != stateClosed.String() {
					t.Fatal("association done without a reason or state")
				}
			default:
				if a.Stats().State == "" {
					t.Fatal("a live association gave no stats")
				}
			}
			checkPinsAfterEnd(t, a, drained)
		})
	})
}

// drainAll runs drain on a goroutine of its own, and returns a channel
// closed when it returns.
func drainAll(ctx context.Context, a *Association) <-chan struct{} {
	drained := make(chan struct{})
	go func() {
		drain(ctx, a)
		close(drained)
	}()
	return drained
}

// checkPinsAfterEnd checks that the packet buffers a keeps for received
// chunks are within its limit, then ends a and checks that they all go
// back once drainAll, which returns drained, has read every message.
func checkPinsAfterEnd(t *testing.T, a *Association, drained <-chan struct{}) {
	t.Helper()
	if held := a.pins.held.Load(); held > a.pins.limit {
		t.Fatalf("%d bytes of packet buffers held, limit %d", held, a.pins.limit)
	}
	a.Abort("fuzzed")
	<-drained
	if held := pinned(a); held != 0 {
		t.Fatalf("%d bytes of packet buffers held after the end", held)
	}
}

// drain reads everything the association delivers.
func drain(ctx context.Context, a *Association) {
	buf := make([]byte, 1<<16)
	for {
		if _, _, err := a.RecvMsg(ctx, buf); err != nil {
			return
		}
	}
}

// fuzzPeer turns fuzz input into packets from the scripted peer.
type fuzzPeer struct {
	r      *rig
	s      *session
	in     []byte
	chunks []chunk
}

func (f *fuzzPeer) byte() byte {
	if len(f.in) == 0 {
		return 0
	}
	b := f.in[0]
	f.in = f.in[1:]
	return b
}

func (f *fuzzPeer) bytes(n int) []byte {
	n = min(n, len(f.in))
	b := f.in[:n]
	f.in = f.in[n:]
	return b
}

func (f *fuzzPeer) run() {
	for len(f.in) > 0 {
		switch f.byte() % 6 {
		case 0:
			f.add(&wire.Raw{Type: wire.ChunkType(f.byte()), Flags: f.byte(), Value: f.bytes(int(f.byte()))})
		case 1:
			d := f.s.data(uint16(f.byte()%8), string(f.bytes(int(f.byte()%64))), wire.DataFlags(f.byte()&0x0F))
			d.TSN += uint32(int8(f.byte())) // near the expected TSN, either side
			f.add(d)
		case 2:
			cum := f.s.epTSN - 1 + uint32(int8(f.byte()))
			sk := &wire.Sack{CumTSN: cum, ARwnd: uint32(f.byte()) << 12}
			for range f.byte() % 4 {
				sk.Gaps = append(sk.Gaps, wire.GapBlock{Start: uint16(f.byte()), End: uint16(f.byte())})
			}
			f.add(sk)
		case 3:
			f.add(&wire.ForwardTSN{NewCumTSN: f.s.tsn + uint32(int8(f.byte()))})
		case 4:
			f.flush(f.s.epTag)
			time.Sleep(time.Duration(f.byte()) * 10 * time.Millisecond)
			f.discard()
		case 5:
			f.flush(f.s.epTag ^ uint32(f.byte())) // sometimes a wrong tag
		}
		if len(f.chunks) >= 8 {
			f.flush(f.s.epTag)
		}
	}
	f.flush(f.s.epTag)
}

func (f *fuzzPeer) add(c chunk) { f.chunks = append(f.chunks, c) }

// flush sends the chunks gathered so far in one packet.
func (f *fuzzPeer) flush(vtag uint32) {
	if len(f.chunks) == 0 {
		return
	}
	f.r.peer.send(vtag, f.chunks...)
	f.chunks = f.chunks[:0]
}

// discard drops what the association sent; the peer already checked that
// each packet parses.
func (f *fuzzPeer) discard() {
	for {
		select {
		case <-f.r.peer.in:
		default:
			return
		}
	}
}
