package asap

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// connect opens a session with the echo pool, closed at the end of the
// test.
func connect(t *testing.T, u *User) *Session {
	t.Helper()
	s, err := u.Connect(t.Context(), echoHandle, SessionConfig{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// acknowledger reads echoes, acknowledges them and counts them per message,
// until it has seen total distinct messages.
func acknowledger(ctx context.Context, s *Session, total int) (echoes map[Seq]int, done chan struct{}) {
	echoes, done = make(map[Seq]int), make(chan struct{})
	go func() {
		defer close(done)
		for len(echoes) < total {
			m, err := s.Recv(ctx)
			if err != nil {
				return
			}
			n, _ := strconv.Atoi(strings.TrimPrefix(string(m.Data), "message "))
			echoes[Seq(n)]++
			s.Ack(Seq(n))
		}
	}()
	return echoes, done
}

// TestSessionFailoverKeepsEveryMessage kills the element serving a session
// that sends a message every 50 ms. The session notices, reports the
// element, fails over to another one, echoes the old element's last cookie
// to it and resends what was not echoed: every message comes back.
func TestSessionFailoverKeepsEveryMessage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr, pe2Addr, pe3Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{p.remote}})
		s := connect(t, u)
		first := sessionEvent(t, s, SessionConnected).New
		const total, killAt = 100, 40
		echoes, done := acknowledger(t.Context(), s, total)
		var killed time.Time
		for i := 1; i <= total; i++ {
			if i == killAt+1 {
				p.kill(p.index(first.ID))
				killed = time.Now()
			}
			if seq, err := s.Send(t.Context(), fmt.Appendf(nil, "message %d", i), stack.SendInfo{}); err != nil || seq != Seq(i) {
				t.Fatalf("send %d: seq %d, %v", i, seq, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
		select {
		case <-done:
		case <-time.After(time.Minute):
		}
		for i := Seq(1); i <= total; i++ {
			if echoes[i] == 0 {
				t.Errorf("message %d lost", i)
			}
		}

		lost := sessionEvent(t, s, SessionElementLost)
		fo := sessionEvent(t, s, SessionFailover)
		if lost.Old.ID != first.ID || fo.Old.ID != first.ID || fo.New.ID == first.ID {
			t.Errorf("lost %v, failover %v, first element %v", lost, fo, ElementString(first))
		}
		if detected := lost.Time.Sub(killed); detected > 2*time.Second {
			t.Errorf("loss noticed %v after the kill", detected)
		}
		if !fo.CookieEcho || fo.Resent == 0 || fo.Took > 100*time.Millisecond {
			t.Errorf("failover %v: want a cookie echo, messages resent, within 100ms", fo)
		}
		t.Logf("lost %v after %v; %v", lost, lost.Time.Sub(killed), fo)
		restored := <-p.echo[p.index(fo.New.ID)].echoes
		if n, _ := strconv.Atoi(strings.TrimPrefix(restored, "echoed=")); n < 1 || n > killAt {
			t.Errorf("new element restored %q, want the old element's count (1 to %d)", restored, killAt)
		}
		if st := s.Stats(); st.Unacked != 0 || st.Failovers != 1 || st.Resent != uint64(fo.Resent) {
			t.Errorf("stats %+v", st)
		}
		time.Sleep(time.Second)
		if n := p.reg.Stats().Unreachables; n != 1 {
			t.Errorf("registrar received %d unreachable reports, want 1", n)
		}
	})
}

// TestSessionFailsOverToBusinessCard has every element name the next one
// in a Business Card: a failover goes there, whatever the cache says.
func TestSessionFailsOverToBusinessCard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr, pe2Addr, pe3Addr)
		for i, e := range p.echo {
			next, _ := registered(p.reg, p.els[(i+1)%len(p.els)].ID())
			e.card.Store(&wire.BusinessCard{Handle: echoHandle, Elements: []wire.PoolElement{next.PoolElement}})
		}
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{p.remote}})
		s := connect(t, u)
		first := p.index(sessionEvent(t, s, SessionConnected).New.ID)
		time.Sleep(100 * time.Millisecond) // the card arrives
		p.kill(first)
		if _, err := s.Send(t.Context(), []byte("message 1"), stack.SendInfo{}); err != nil {
			t.Fatal(err)
		}
		fo := sessionEvent(t, s, SessionFailover)
		if want := p.els[(first+1)%len(p.els)].ID(); fo.New.ID != want {
			t.Errorf("failed over to %v, want $%08x from the card", ElementString(fo.New), uint32(want))
		}
	})
}

// TestSessionAfterGracefulClose serves with an element that answers once
// and shuts the association down, as a daytime service does: the session
// does not report it, and connects again only for the next message.
func TestSessionAfterGracefulClose(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, reg := w.registrar("registrar", reg1Addr)
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}})
		elementEvent(t, e, ElementRegistered)
		go func() {
			for {
				c, err := e.Accept(t.Context())
				if err != nil {
					return
				}
				c.Send(t.Context(), []byte("12:00"), stack.SendInfo{})
				c.Close()
			}
		}()
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{reg}})
		s := connect(t, u)
		if m, err := s.Recv(t.Context()); err != nil || string(m.Data) != "12:00" {
			t.Fatalf("received %q, %v", m.Data, err)
		}
		sessionEvent(t, s, SessionElementClosed)
		time.Sleep(time.Second)
		if _, up := s.Element(); up {
			t.Error("the session reconnected without anything to send")
		}
		seq, err := s.Send(t.Context(), []byte("time?"), stack.SendInfo{})
		if err != nil {
			t.Fatal(err)
		}
		if fo := sessionEvent(t, s, SessionFailover); fo.Old.ID != e.ID() || fo.New.ID != e.ID() || fo.Resent != 1 {
			t.Errorf("reconnection %v, want back to %v with the message", fo, ElementString(fo.Old))
		}
		if m, err := s.Recv(t.Context()); err != nil || string(m.Data) != "12:00" {
			t.Fatalf("received %q, %v", m.Data, err)
		}
		s.Ack(seq)
	})
}

func TestSessionSendErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{p.remote}})
		s := connect(t, u)
		if _, err := s.Send(t.Context(), []byte("x"), stack.SendInfo{PPID: wire.PPIDASAP}); !errors.Is(err, ErrReservedPPID) {
			t.Errorf("send on PPID 11: %v", err)
		}
		s.Close()
		if _, err := s.Send(t.Context(), []byte("x"), stack.SendInfo{}); !errors.Is(err, ErrClosed) {
			t.Errorf("send after close: %v", err)
		}
		if _, err := s.Recv(t.Context()); !errors.Is(err, ErrClosed) {
			t.Errorf("recv after close: %v", err)
		}
		u.Close()
		if _, err := u.Connect(t.Context(), echoHandle, SessionConfig{}); !errors.Is(err, ErrClosed) {
			t.Errorf("connect after the user closed: %v", err)
		}
	})
}

// TestConnectEmptyPoolFails: by default Connect to an empty pool fails
// at once with ErrNoElement, though its context has no deadline.
func TestConnectEmptyPoolFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, reg := w.registrar("registrar", reg1Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{reg}})
		start := time.Now()
		_, err := u.Connect(t.Context(), wire.PoolHandle("NoSuchPool"), SessionConfig{})
		if !errors.Is(err, ErrNoElement) || !strings.Contains(err.Error(), "NoSuchPool") {
			t.Errorf("error %v, want ErrNoElement naming the pool", err)
		}
		if took := time.Since(start); took > time.Second {
			t.Errorf("Connect took %v to fail", took)
		}
	})
}

// TestConnectEmptyPoolWaits: with a negative ConnectWait, Connect waits
// for its context, reports every failed resolution as an event, and its
// error names the deadline and the last failure.
func TestConnectEmptyPoolWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, reg := w.registrar("registrar", reg1Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{reg}})
		ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
		defer cancel()
		_, err := u.Connect(ctx, echoHandle, SessionConfig{ConnectWait: -1})
		if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, ErrNoElement) {
			t.Errorf("error %v, want the deadline and ErrNoElement", err)
		}
	})
}

// TestSessionsOfOneUserTakeDistinctElements: the sessions of one user
// share its endpoint, which has at most one association with an element:
// a second session goes to another element, a third, with no element
// left, fails with stack.ErrAssociated, and neither reports the busy
// elements unreachable nor disturbs the sessions that have them.
func TestSessionsOfOneUserTakeDistinctElements(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr, pe2Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{p.remote}})
		s1, s2 := connect(t, u), connect(t, u)
		el1, _ := s1.Element()
		el2, _ := s2.Element()
		if el1.ID == el2.ID {
			t.Fatalf("both sessions on element %v", ElementString(el1))
		}
		_, err := u.Connect(t.Context(), echoHandle, SessionConfig{})
		if !errors.Is(err, stack.ErrAssociated) {
			t.Errorf("a third session: %v, want stack.ErrAssociated", err)
		}
		time.Sleep(time.Second) // reports would have arrived
		if n := p.reg.Stats().Unreachables; n != 0 {
			t.Errorf("%d unreachable reports", n)
		}
		for i, s := range []*Session{s1, s2} {
			seq, err := s.Send(t.Context(), []byte("ping"), stack.SendInfo{})
			if err != nil {
				t.Fatal(err)
			}
			if m, err := s.Recv(t.Context()); err != nil || string(m.Data) != "ping" {
				t.Errorf("session %d: echo %q, %v", i+1, m.Data, err)
			}
			s.Ack(seq)
			if s.Stats().Failovers != 0 {
				t.Errorf("session %d failed over", i+1)
			}
		}
	})
}
