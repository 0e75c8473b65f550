package mobility

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
	stackwire "github.com/mobisctp/mobisctp/stack/wire"
)

// exchange sends count messages each way, one every 10 ms, while
// scenario runs, and checks that every message arrives exactly once and
// in order (SHA-256 per direction).
func exchange(t *testing.T, ca, cb *Conn, count int, scenario func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	var sentAB, sentBA [32]byte
	var gotAB, gotBA receipt
	var wg sync.WaitGroup
	wg.Go(func() { sentAB = flow(t, ca, count, 10*time.Millisecond) })
	wg.Go(func() { sentBA = flow(t, cb, count, 10*time.Millisecond) })
	wg.Go(func() { gotAB = drain(ctx, cb, count) })
	wg.Go(func() { gotBA = drain(ctx, ca, count) })
	wg.Go(scenario)
	wg.Wait()
	for _, d := range []struct {
		name string
		sent [32]byte
		got  receipt
	}{{"A->B", sentAB, gotAB}, {"B->A", sentBA, gotBA}} {
		if d.got.err != nil {
			t.Errorf("%s: %v", d.name, d.got.err)
		} else if !bytes.Equal(d.sent[:], d.got.sum[:]) {
			t.Errorf("%s: SHA-256 differs", d.name)
		}
	}
}

// collect gathers a Conn's events until it ends.
type collected struct {
	mu     sync.Mutex
	events []Event
}

func collect(c *Conn) *collected {
	col := &collected{}
	go func() {
		for e := range c.Events() {
			col.mu.Lock()
			col.events = append(col.events, e)
			col.mu.Unlock()
		}
	}()
	return col
}

// failedOver checks that the events hold a fallback (for the reason
// want, if set) followed by a completed failover, and returns both.
func (col *collected) failedOver(t *testing.T, name string, want error) (Event, Event) {
	t.Helper()
	col.mu.Lock()
	defer col.mu.Unlock()
	var fb, done Event
	for _, e := range col.events {
		switch {
		case e.Type == EventFallback && fb.Type == 0:
			fb = e
		case e.Type == EventFailoverComplete && fb.Type != 0 && done.Type == 0:
			done = e
		case e.Type == EventFailoverFailed:
			t.Errorf("%s: %v", name, e)
		}
	}
	if fb.Type == 0 || done.Type == 0 {
		t.Fatalf("%s: fallback %v, failover %v; events %v", name, fb, done, col.events)
	}
	if want != nil && !errors.Is(fb.Err, want) {
		t.Errorf("%s: fallback %v, want the reason %v", name, fb, want)
	}
	if done.Since != done.Time.Sub(fb.Time) {
		t.Errorf("%s: failover %v took %v, want the time since the fallback %v", name, done, done.Since, done.Time.Sub(fb.Time))
	}
	t.Logf("%s: %v at %v; %v at %v", name, fb, fb.Time.Format("05.000"), done, done.Time.Format("05.000"))
	return fb, done
}

// TestFallbackAfterDeadline: node B loses its only address for longer
// than the handover deadline (2 s) and comes back at another one. The
// association cannot be re-attached in time: both ends fall back at their
// deadline, A re-resolves B and continues the session over a new
// association, and every message of both directions arrives exactly once
// and in order; what the old association had not delivered is sent again.
func TestFallbackAfterDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.handover.Deadline = 2 * time.Second
		_, ca, _, cb := dialPair(t, w, "node-a")
		evA, evB := collect(ca), collect(cb)
		exchange(t, ca, cb, 800, func() {
			time.Sleep(time.Second)
			w.hosts["B"].RemoveAddr(nodeB1)
			time.Sleep(3 * time.Second)
			w.hosts["B"].AddAddr(nodeB2)
		})
		fa, _ := evA.failedOver(t, "A", ErrDeadline)
		fb, _ := evB.failedOver(t, "B", ErrDeadline)
		if since := fb.Since; since != w.handover.Deadline {
			t.Errorf("B fell back %v after its handover started, want the deadline %v", since, w.handover.Deadline)
		}
		if fa.Since != w.handover.Deadline {
			t.Errorf("A fell back %v after its handover started, want the deadline %v", fa.Since, w.handover.Deadline)
		}
		checkResent(t, ca, cb)
		if a := ca.Association(); a == nil || a.RemoteAddr().Addr() != nodeB2 {
			t.Errorf("A's association after the failover: %v", a)
		}
	})
}

// TestFallbackAfterPeerAbort: node B's association is aborted under the
// session (what a peer whose SCTP endpoint restarted answers: an ABORT),
// while data flows both ways. A falls back at once (the association was
// lost), dials B anew, and the session goes on: every message exactly
// once and in order.
func TestFallbackAfterPeerAbort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, ca, _, cb := dialPair(t, w, "node-a")
		evA, evB := collect(ca), collect(cb)
		old := cb.Association()
		exchange(t, ca, cb, 300, func() {
			time.Sleep(time.Second)
			old.Abort("restarted")
		})
		fa, done := evA.failedOver(t, "A", nil)
		var abort *stack.AbortError
		if !errors.As(fa.Err, &abort) || !abort.Remote {
			t.Errorf("A fell back for %v, want the peer's ABORT", fa.Err)
		}
		evB.failedOver(t, "B", nil)
		if took := done.Since; took > 4*2*oneWay {
			t.Errorf("A's failover took %v, want at most 4 round trips (resolution, INIT, COOKIE, session cookies)", took)
		}
		checkResent(t, ca, cb)
	})
}

// checkResent checks that each Conn failed over once, and logs the
// messages it sent again; at least one end must have had some in flight.
func checkResent(t *testing.T, conns ...*Conn) {
	t.Helper()
	var resent uint64
	for i, c := range conns {
		st := c.Stats()
		t.Logf("conn %d: %+v", i, st)
		if st.Failovers != 1 {
			t.Errorf("conn %d: %d failovers, want 1", i, st.Failovers)
		}
		resent += st.Resent
	}
	if resent == 0 {
		t.Error("no message was sent again, although data flowed both ways")
	}
}

// TestResumeWithWrongTokenRefused: a stranger dials node B and claims to
// continue a session, with the real session's token off by one bit, with
// a token it made up, and with the real token, which it could have read
// off the wire, signed with a key of its own. B refuses all three (aborts
// the association, reports it on its node events, counts it), the last
// for want of proof (session_key.go), gives nothing to Accept, and the
// real session is not disturbed.
func TestResumeWithWrongTokenRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, ca, b, cb := dialPair(t, w, "node-a")
		evB := collect(cb)
		xAddr := netip.MustParseAddr("203.0.113.9")
		x, err := stack.NewEndpoint(simConfig(w.n.AddHost("X", xAddr), xAddr, 7002))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		guessed := cb.token
		guessed[7] ^= 0x10
		for i, try := range []struct {
			tok  token
			want error
		}{{guessed, ErrUnknownSession}, {newToken(), ErrUnknownSession}, {cb.token, ErrSessionProof}} {
			a, err := x.Dial(t.Context(), stack.Remote{Addrs: []netip.Addr{nodeB1}, Port: 7000, UDPPort: 7000})
			if err != nil {
				t.Fatal(err)
			}
			m := sessionMsg{kind: kindResume, token: try.tok, seq: 1, delivered: counts{1: 0}}
			m.sign(bytes.Repeat([]byte{0x42}, 32))
			if err := sendSession(t.Context(), a, m); err != nil {
				t.Fatal(err)
			}
			<-a.Done()
			var abort *stack.AbortError
			if !errors.As(a.Err(), &abort) || !abort.Remote {
				t.Errorf("attempt %d: the stranger's association ended with %v, want B's ABORT", i, a.Err())
			}
			ev := waitEvent(t, b.Events(), EventResumeRefused)
			if !errors.Is(ev.Err, try.want) || ev.Addr != xAddr {
				t.Errorf("attempt %d: %v, want %v from %v", i, ev, try.want, xAddr)
			}
		}
		if st := b.Stats(); st.Refused != 3 {
			t.Errorf("B refused %d associations, want 3", st.Refused)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if c, err := b.Accept(ctx); err == nil {
			t.Errorf("Accept returned %v for a refused stranger", c)
		}
		exchange(t, ca, cb, 50, func() {})
		evB.mu.Lock()
		defer evB.mu.Unlock()
		for _, e := range evB.events {
			if e.Type == EventFallback || e.Type == EventFailoverComplete {
				t.Errorf("the real session was disturbed: %v", e)
			}
		}
		if st := cb.Stats(); st.Failovers != 0 || st.Resent != 0 {
			t.Errorf("the real session failed over: %+v", st)
		}
	})
}

// TestOpenWithTokenInUseRefused: a second session that names the token of
// a live one is refused too; so is an association that opens no session.
func TestOpenWithTokenInUseRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, b, cb := dialPair(t, w, "node-a")
		xAddr := netip.MustParseAddr("203.0.113.9")
		x, err := stack.NewEndpoint(simConfig(w.n.AddHost("X", xAddr), xAddr, 7002))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		for i, opening := range [][]byte{
			wire.AppendASAP(nil, &wire.CookieEcho{Cookie: sessionMsg{kind: kindOpen, token: cb.token}.append(nil)}),
			wire.AppendASAP(nil, &wire.BusinessCard{Handle: wire.PoolHandle("x")}),
		} {
			a, err := x.Dial(t.Context(), stack.Remote{Addrs: []netip.Addr{nodeB1}, Port: 7000, UDPPort: 7000})
			if err != nil {
				t.Fatal(err)
			}
			if err := a.SendMsg(t.Context(), opening, stack.SendInfo{Stream: controlStream, PPID: wire.PPIDASAP}); err != nil {
				t.Fatal(err)
			}
			<-a.Done()
			if ev := waitEvent(t, b.Events(), EventResumeRefused); ev.Err == nil {
				t.Errorf("opening %d refused without a reason", i)
			}
		}
		if st := b.Stats(); st.Refused != 2 {
			t.Errorf("B refused %d associations, want 2", st.Refused)
		}
	})
}

// TestFallbackAfterPeerRestart: A's association loses its state without
// B hearing of it (its ABORT is lost), as when A's SCTP stack restarts.
// A falls back and dials B again from the same address and port, which B
// sees as the peer restarting the association it still holds (RFC 9260
// section 5.2.2): B falls back (ErrPeerRestarted), the session continues
// over a new association, and every message arrives exactly once and in
// order.
func TestFallbackAfterPeerRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, ca, _, cb := dialPair(t, w, "node-a")
		evA, evB := collect(ca), collect(cb)
		w.n.AddFilter(func(src, dst netip.AddrPort, data []byte) simnet.Verdict {
			if src.Addr() == nodeA1 && dst.Addr() == nodeB1 && hasChunk(data, stackwire.TypeAbort) {
				return simnet.Drop
			}
			return simnet.Pass
		})
		old := ca.Association()
		exchange(t, ca, cb, 300, func() {
			time.Sleep(time.Second)
			old.Abort("state lost")
		})
		evA.failedOver(t, "A", nil)
		evB.failedOver(t, "B", ErrPeerRestarted)
		checkResent(t, ca, cb)
		if st := cb.Association().Stats(); st.Restarts != 0 {
			t.Errorf("B carries the session on the restarted association (%d restarts), want a new one", st.Restarts)
		}
	})
}

// hasChunk reports whether the SCTP packet data holds a chunk of type typ.
func hasChunk(data []byte, typ stackwire.ChunkType) bool {
	it := stackwire.Packet(data).Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		if c.Type() == typ {
			return true
		}
	}
	return false
}

// TestResendBufferFull: with a resend buffer of 4 messages, a node that
// lost its only address (RecoverFailover: it fails over at once) takes 4
// messages and refuses the fifth when its context ends
// (ErrResendBufferFull, counted); a Send that waits for room meanwhile
// does not keep the failover from resending (which is what makes room):
// once the node has an address again, the session goes on and the 5
// arrive, once and in order. Messages flow
// through the small buffer afterwards: the peer checkpoints what it
// delivered within ackDelay even when fewer than ackEvery arrived.
func TestResendBufferFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.handover.Recovery = RecoverFailover
		b := w.node("B", nodeB1, 7000, "node-b")
		waitEvent(t, b.Events(), EventReregistered)
		h := w.n.AddHost("A", nodeA1)
		w.hosts["A"] = h
		cfg := simConfig(h, nodeA1, 7001)
		cfg.AddressWatcher = h.Watch()
		a, err := NewNode(Config{Registrars: []stack.Remote{w.reg}, Endpoint: cfg, Handover: w.handover, ResendBuffer: 4})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		ca, err := a.Dial(t.Context(), wire.PoolHandle("node-b"))
		if err != nil {
			t.Fatal(err)
		}
		defer ca.Close()
		cb, err := b.Accept(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer cb.Close()
		evA := collect(ca)
		h.RemoveAddr(nodeA1)
		time.Sleep(100 * time.Millisecond)
		for i := range 4 {
			if err := ca.Send(t.Context(), []byte{byte(i)}, 1); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		if err := ca.Send(ctx, []byte{4}, 1); !errors.Is(err, ErrResendBufferFull) {
			t.Errorf("fifth message: %v, want %v", err, ErrResendBufferFull)
		}
		if st := ca.Stats(); st.BufferFull != 1 || st.Unacked != 4 || st.Sent != 4 {
			t.Errorf("stats %+v, want 4 sent and kept, the buffer found full once", st)
		}
		blocked := make(chan error, 1)
		go func() { blocked <- ca.Send(t.Context(), []byte{4}, 1) }()
		synctest.Wait()
		h.AddAddr(nodeA2)
		buf := make([]byte, 8)
		for i := range 5 {
			n, _, err := cb.Recv(t.Context(), buf)
			if err != nil || n != 1 || buf[0] != byte(i) {
				t.Fatalf("message %d: %v %v", i, buf[:n], err)
			}
		}
		if err := <-blocked; err != nil {
			t.Errorf("the message that waited for room: %v", err)
		}
		evA.failedOver(t, "A", ErrPathsLost)
		for i := 5; i < 25; i++ {
			if err := ca.Send(t.Context(), []byte{byte(i)}, 1); err != nil {
				t.Fatalf("message %d after the failover: %v", i, err)
			}
			if n, _, err := cb.Recv(t.Context(), buf); err != nil || n != 1 || buf[0] != byte(i) {
				t.Fatalf("message %d after the failover: %v %v", i, buf[:n], err)
			}
		}
		if st := ca.Stats(); st.Resent != 0 || st.Failovers != 1 {
			t.Errorf("stats %+v: nothing had been sent before the failover", st)
		}
	})
}
