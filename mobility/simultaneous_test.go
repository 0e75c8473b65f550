package mobility

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/simstack"
	stackwire "github.com/mobisctp/mobisctp/stack/wire"
)

var nodeA2 = netip.MustParseAddr("198.51.100.11")

// wireLog records, between the two nodes, the INIT chunks and the
// verification tags of every other packet.
type wireLog struct {
	mu    sync.Mutex
	inits int
	tags  map[uint32]int
}

func watchWire(n *simnet.Network, ports ...uint16) *wireLog {
	l := &wireLog{tags: map[uint32]int{}}
	between := func(p uint16) bool { return p == ports[0] || p == ports[1] }
	n.OnPacket(func(_ time.Time, src, dst netip.AddrPort, data []byte, _ simnet.Fate) {
		pkt := stackwire.Packet(data)
		if len(data) < 12 || !between(binary.BigEndian.Uint16(data[0:2])) || !between(binary.BigEndian.Uint16(data[2:4])) {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		it := pkt.Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			if c.Type() == stackwire.TypeInit {
				l.inits++
				return
			}
		}
		l.tags[binary.BigEndian.Uint32(data[4:8])]++
	})
	return l
}

// messageSize is the size of the messages of flow.
const messageSize = 200

// flow sends count numbered messages (simstack.Message) on stream 1, one
// every interval, and returns their SHA-256.
func flow(t testing.TB, c *Conn, count int, interval time.Duration) [32]byte {
	var sent simstack.Tally
	for i := range count {
		msg := simstack.Message(i, messageSize-simstack.MessageHeader)
		if err := c.Send(t.Context(), msg, 1); err != nil {
			t.Errorf("message %d: %v", i, err)
			break
		}
		sent.Add(msg)
		time.Sleep(interval)
	}
	return sent.Sum()
}

// receipt is what a receiver got: the hash of the messages in the order
// received, and when each arrived.
type receipt struct {
	sum [32]byte
	at  []time.Time
	err error
}

// drain receives count messages, checking that each is the next one,
// intact.
func drain(ctx context.Context, c *Conn, count int) receipt {
	var r receipt
	var check simstack.Checker
	buf := make([]byte, 2*messageSize)
	for i := range count {
		n, _, err := c.Recv(ctx, buf)
		if err != nil {
			r.err = fmt.Errorf("after %d messages: %w", i, err)
			break
		}
		if err := check.Check(buf[:n]); err != nil {
			r.err = err
			break
		}
		r.at = append(r.at, time.Now())
	}
	r.sum = check.Sum()
	return r
}

// TestSimultaneousMove: two mobile nodes exchange messages both ways
// through a registrar; both lose their only address at the same instant
// and get a new one after a gap (break before make at both ends: neither
// can tell the other where it went). In the symmetric setup both are
// pool elements; in the asymmetric one A is a pool user that B cannot
// resolve. The same association carries on (its two verification tags,
// no INIT after the first), every message arrives exactly once and in
// order (SHA-256 per direction), and the first message after the later
// node got its address arrives within the time the node takes to notice
// it (the 10 ms watcher poll and the 50 ms AddressHold), the registrar
// round trip, 3 path round trips and the resolution back-off step.
func TestSimultaneousMove(t *testing.T) {
	for _, sym := range []bool{true, false} {
		for _, gap := range []time.Duration{time.Second, 10 * time.Second} {
			name := fmt.Sprintf("symmetric=%v gap=%v", sym, gap)
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) { simultaneousMove(t, sym, gap, 1, RecoverReattach) })
			})
		}
	}
}

// TestSimultaneousMoveFailover: the same simultaneous move recovered the
// RSPLIB way (RecoverFailover): each node falls back as soon as it lost
// its address, and the dialler continues the session over a new
// association once it has a new one. Every message arrives exactly once
// and in order (SHA-256 per direction), although what was in flight on
// the old association is sent again.
func TestSimultaneousMoveFailover(t *testing.T) {
	for _, sym := range []bool{true, false} {
		for _, moves := range []int{1, 3} {
			t.Run(fmt.Sprintf("symmetric=%v moves=%d", sym, moves), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) { simultaneousMove(t, sym, time.Second, moves, RecoverFailover) })
			})
		}
	}
}

// TestSimultaneousMoveBackAndForth moves both nodes at once ten times,
// back and forth between two addresses each, with a gap of 1 s: each
// move recovers within the bound, nothing is lost, and the association
// keeps one path per side (no leak of paths).
func TestSimultaneousMoveBackAndForth(t *testing.T) {
	for _, sym := range []bool{true, false} {
		t.Run(fmt.Sprintf("symmetric=%v", sym), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { simultaneousMove(t, sym, time.Second, 10, RecoverReattach) })
		})
	}
}

// moveSpacing is the time between the end of one move's gap and the
// start of the next.
const moveSpacing = time.Second

// simultaneousMove runs the moves in virtual time and checks that each
// recovered within the bound of its recovery mode.
func simultaneousMove(t *testing.T, symmetric bool, gap time.Duration, moves int, recovery Recovery) {
	bound := 10*time.Millisecond + 50*time.Millisecond + 2*oneWay + 3*2*oneWay + DefaultResolveBackoff
	if recovery == RecoverFailover {
		bound = failoverBound
	}
	res := runSimultaneous(t, symmetric, gap, moves, recovery)
	if recovery == RecoverFailover {
		t.Logf("%d messages resent in all", res.resent)
	}
	for d, name := range []string{"A->B", "B->A"} {
		for i, took := range res.recovery[d] {
			t.Logf("%s: move %d: first message %v after the new addresses (bound %v)", name, i+1, took, bound)
			if took > bound {
				t.Errorf("%s: move %d: recovery %v, want at most %v", name, i+1, took, bound)
			}
		}
	}
}

// moveResult is what runSimultaneous measured.
type moveResult struct {
	// recovery holds, per direction (A->B, B->A) and move, the time from
	// the later node's new address to the first message received after it.
	recovery [2][]time.Duration
	// resent counts the messages both Conns sent again after failovers.
	resent uint64
}

// runSimultaneous moves both nodes at once moves times, with a gap
// between losing the old address and getting the new one, while each
// sends a message every 10 ms. It fails t unless every message arrived
// once and in order, every move recovered, each side kept one path, and
// the recovery kept its contract: one association (reattach) or one
// failover per move (failover). It asserts no time bound, so it can run
// outside a synctest bubble too.
func runSimultaneous(t testing.TB, symmetric bool, gap time.Duration, moves int, recovery Recovery) moveResult {
	w := newWorld(t)
	w.handover.Recovery = recovery
	aHandle := ""
	if symmetric {
		aHandle = "node-a"
	}
	log := watchWire(w.n, 7000, 7001)
	_, ca, _, cb := dialPair(t, w, aHandle)

	const interval = 10 * time.Millisecond
	count := int((2*time.Second + time.Duration(moves)*(gap+moveSpacing) + time.Second) / interval)
	var newAt []time.Time
	moved := make(chan struct{})
	go func() {
		defer close(moved)
		time.Sleep(2 * time.Second)
		a, b := [2]netip.Addr{nodeA1, nodeA2}, [2]netip.Addr{nodeB1, nodeB2}
		for i := range moves {
			w.hosts["A"].RemoveAddr(a[i%2])
			w.hosts["B"].RemoveAddr(b[i%2])
			time.Sleep(gap)
			w.hosts["A"].AddAddr(a[(i+1)%2])
			w.hosts["B"].AddAddr(b[(i+1)%2])
			newAt = append(newAt, time.Now())
			time.Sleep(moveSpacing)
		}
	}()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	var sentAB, sentBA [32]byte
	var gotAB, gotBA receipt
	var wg sync.WaitGroup
	wg.Go(func() { sentAB = flow(t, ca, count, interval) })
	wg.Go(func() { sentBA = flow(t, cb, count, interval) })
	wg.Go(func() { gotAB = drain(ctx, cb, count) })
	wg.Go(func() { gotBA = drain(ctx, ca, count) })
	wg.Wait()
	<-moved

	var res moveResult
	for i, d := range []struct {
		name     string
		sent     [32]byte
		got      receipt
		receiver *Conn
	}{{"A->B", sentAB, gotAB, cb}, {"B->A", sentBA, gotBA, ca}} {
		if d.got.err != nil {
			t.Errorf("%s: %v (%d received)", d.name, d.got.err, len(d.got.at))
			logConns(t, ca, cb)
			continue
		}
		if !bytes.Equal(d.sent[:], d.got.sum[:]) {
			t.Errorf("%s: SHA-256 differs", d.name)
		}
		for j, at := range newAt {
			took := firstAfter(d.got.at, at)
			if took < 0 {
				t.Errorf("%s: move %d: no message after the new addresses", d.name, j+1)
			}
			res.recovery[i] = append(res.recovery[i], took)
		}
		if n := len(d.receiver.Association().Paths()); n != 1 {
			t.Errorf("%s: the receiver has %d paths after %d moves, want 1: %+v", d.name, n, moves, d.receiver.Association().Paths())
		}
	}
	if recovery == RecoverFailover {
		res.resent = checkFailovers(t, moves, ca, cb)
		return res
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	if log.inits != 1 || len(log.tags) != 2 {
		t.Errorf("%d INITs, verification tags %v: want one handshake and the same two tags", log.inits, log.tags)
	}
	return res
}

// logConns logs the association statistics and pending events of conns.
func logConns(t testing.TB, conns ...*Conn) {
	for _, c := range conns {
		st := c.Association().Stats()
		t.Logf("stats of port %d: sent %d recv %d abandoned %d fwdtsn %d dup %d dropped %d rtx %d t3 %d out %d q %d", st.LocalPort, st.MessagesSent, st.MessagesReceived, st.MessagesAbandoned, st.ForwardTSNsSent, st.DuplicateTSNs, st.DataDropped, st.Retransmissions, st.T3Expirations, st.Outstanding, st.MessagesQueued)
		for len(c.Events()) > 0 {
			t.Logf("ev %v", <-c.Events())
		}
	}
}

// failoverBound bounds the recovery of a failover after both nodes moved
// (first message after the later node got its address): the watcher poll
// and address hold (60 ms), the registrar round trip, the resolution
// back-off step (the first answer may name the peer's old address, whose
// dial is left to itself), and 5 path round trips: INIT, COOKIE ECHO, the
// session's Cookie Echo and Cookie, and the message sent again.
const failoverBound = 60*time.Millisecond + 2*oneWay + DefaultResolveBackoff + 5*2*oneWay

// checkFailovers checks that each Conn failed over once per move, and
// returns the messages they sent again.
func checkFailovers(t testing.TB, moves int, conns ...*Conn) uint64 {
	t.Helper()
	var resent uint64
	for i, c := range conns {
		st := c.Stats()
		resent += st.Resent
		if st.Failovers != uint64(moves) {
			t.Errorf("conn %d: %d failovers, want %d (%d messages resent, %d kept)", i, st.Failovers, moves, st.Resent, st.Unacked)
		}
	}
	return resent
}

// firstAfter returns how long after t the first of ts is, or -1.
func firstAfter(ts []time.Time, t time.Time) time.Duration {
	for _, x := range ts {
		if !x.Before(t) {
			return x.Sub(t)
		}
	}
	return -1
}
