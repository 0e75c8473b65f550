package mobility

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/eventq"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// fakeAssoc is an Association whose events and paths the test sets.
type fakeAssoc struct {
	events chan stack.Event
	done   chan struct{}
	err    error // Err after done
	mu     sync.Mutex
	paths  []stack.PathInfo
}

func newFakeAssoc() *fakeAssoc {
	return &fakeAssoc{events: make(chan stack.Event, 16), done: make(chan struct{})}
}

func (f *fakeAssoc) Events() <-chan stack.Event { return f.events }
func (f *fakeAssoc) Done() <-chan struct{}      { return f.done }
func (f *fakeAssoc) Err() error                 { return f.err }
func (f *fakeAssoc) Paths() []stack.PathInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.paths)
}

// fakeRegistry answers resolutions with addrs after a registrar round
// trip of 20 ms.
type fakeRegistry struct {
	mu    sync.Mutex
	addrs []netip.Addr
	asked []wire.PoolHandle
}

func (f *fakeRegistry) Reregister(context.Context) error { return nil }

func (f *fakeRegistry) Resolve(ctx context.Context, peer wire.PoolHandle) ([]wire.PoolElement, error) {
	time.Sleep(20 * time.Millisecond)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, peer)
	return []wire.PoolElement{{UserTransport: wire.Transport{Addrs: slices.Clone(f.addrs)}}}, nil
}

// fakeReattacher is a stack that has the seams: it records re-attach
// ASCONFs.
type fakeReattacher struct {
	sent chan netip.Addr
}

func (fakeReattacher) HoldWhileDown(time.Duration) error { return nil }

func (f fakeReattacher) SendReattach(to netip.Addr, _ []netip.Addr) error {
	f.sent <- to
	return nil
}

// TestDriverAgainstFakes runs a mobile association's driver against a
// fake stack and registry: the node moves, learns the peer's new address
// from the peer's Business Card handle and a resolution, sends the
// re-attach ASCONF there, and the stack's answers (ASCONF acknowledged,
// path confirmed, data) end the handover, each step an event.
func TestDriverAgainstFakes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newFakeAssoc()
		reg := &fakeRegistry{addrs: []netip.Addr{b2}}
		re := fakeReattacher{sent: make(chan netip.Addr, 4)}
		addrs := make(chan []netip.Addr, 1)
		data := make(chan struct{}, 1)
		events := eventq.New[Event](64)
		d := newDriver(NewController(ControllerConfig{}, []netip.Addr{a1}), a, re, reg, addrs, data, events)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go d.run(ctx)

		d.cards <- wire.PoolHandle("node-b") // the accepting side learns the handle
		synctest.Wait()
		addrs <- nil // the node loses its address,
		synctest.Wait()
		addrs <- []netip.Addr{a2} // and gets a new one
		start := time.Now()
		if to := <-re.sent; to != b2 {
			t.Fatalf("re-attach ASCONF to %v, want %v", to, b2)
		}
		if took := time.Since(start); took != 20*time.Millisecond {
			t.Errorf("ASCONF sent %v after the new address, want one resolution (20 ms)", took)
		}
		a.events <- stack.Event{Type: stack.EventASCONF, Addr: netip.AddrPortFrom(b2, 7000)}
		a.events <- stack.Event{Type: stack.EventPathConfirmed, Addr: netip.AddrPortFrom(b2, 7000)}
		synctest.Wait()
		data <- struct{}{}
		synctest.Wait()
		cancel()
		synctest.Wait()

		var got []EventType
		for ev := range events.C() {
			got = append(got, ev.Type)
		}
		want := []EventType{EventPeerHandle, EventAddressLost, EventHandoverStarted, EventAddressGained,
			EventPeerResolved, EventASCONFSent, EventASCONFAcked, EventPathConfirmed, EventFirstData}
		if !slices.Equal(got, want) {
			t.Errorf("events %v\nwant   %v", got, want)
		}
		if len(reg.asked) != 1 || string(reg.asked[0]) != "node-b" {
			t.Errorf("resolved %q", reg.asked)
		}
	})
}

// TestDriverAllPathsDown: a path going down starts a handover only when no
// path is active any more.
func TestDriverAllPathsDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newFakeAssoc()
		a.paths = []stack.PathInfo{{State: stack.PathInactive}, {State: stack.PathActive}}
		events := eventq.New[Event](64)
		d := newDriver(NewController(ControllerConfig{}, []netip.Addr{a1}), a, fakeReattacher{}, &fakeRegistry{}, nil, nil, events)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		go d.run(ctx)
		a.events <- stack.Event{Type: stack.EventPathDown}
		synctest.Wait()
		if d.ctl.InHandover() {
			t.Fatal("handover with a path still active")
		}
		a.mu.Lock()
		a.paths[1].State = stack.PathInactive
		a.mu.Unlock()
		a.events <- stack.Event{Type: stack.EventPathDown}
		synctest.Wait()
		if ev := <-events.C(); ev.Type != EventHandoverStarted {
			t.Errorf("event %v, want %v", ev, EventHandoverStarted)
		}
		a.err = errors.New("aborted by the peer")
		close(a.done) // the peer aborts: fallback
		synctest.Wait()
		if ev := <-events.C(); ev.Type != EventFallback || ev.Err == nil {
			t.Errorf("event %v, want %v with the reason", ev, EventFallback)
		}
	})
}

// TestDriverGracefulEnd: an association shut down gracefully ends the
// driver without a fallback.
func TestDriverGracefulEnd(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newFakeAssoc()
		events := eventq.New[Event](64)
		d := newDriver(NewController(ControllerConfig{}, []netip.Addr{a1}), a, fakeReattacher{}, &fakeRegistry{}, nil, nil, events)
		go d.run(t.Context())
		close(a.done)
		synctest.Wait()
		for ev := range events.C() {
			t.Errorf("event %v after a graceful shutdown", ev)
		}
	})
}

// TestDriverPeerRestart: the stack reporting that the peer restarted the
// association is a fallback, with the reason.
func TestDriverPeerRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := newFakeAssoc()
		events := eventq.New[Event](64)
		d := newDriver(NewController(ControllerConfig{}, []netip.Addr{a1}), a, fakeReattacher{}, &fakeRegistry{}, nil, nil, events)
		go d.run(t.Context())
		a.events <- stack.Event{Type: stack.EventRestart}
		synctest.Wait()
		if ev := <-events.C(); ev.Type != EventFallback || !errors.Is(ev.Err, ErrPeerRestarted) {
			t.Errorf("event %v, want %v: %v", ev, EventFallback, ErrPeerRestarted)
		}
	})
}
