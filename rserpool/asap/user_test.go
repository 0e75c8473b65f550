package asap

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// testPool is a registrar with echo elements registered at it.
type testPool struct {
	reg    *registrar.Registrar
	remote stack.Remote
	els    []*Element
	hosts  []*simnet.Host
	addrs  []netip.Addr
	echo   []*echoService
}

// newPool starts a registrar and an echo element on each of addrs, with
// the Round Robin policy, and waits until all are registered.
func newPool(t *testing.T, w *world, addrs ...netip.Addr) *testPool {
	p := &testPool{}
	p.reg, _, p.remote = w.registrar("registrar", reg1Addr)
	for i, addr := range addrs {
		e, h := w.element(fmt.Sprintf("pe%d", i+1), addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{p.remote}})
		elementEvent(t, e, ElementRegistered)
		p.els, p.hosts, p.addrs = append(p.els, e), append(p.hosts, h), append(p.addrs, addr)
		p.echo = append(p.echo, serveEcho(t.Context(), e))
	}
	return p
}

// index returns the position in the pool of the element with id.
func (p *testPool) index(id wire.PEID) int {
	for i, e := range p.els {
		if e.ID() == id {
			return i
		}
	}
	return -1
}

// kill takes element i off the network without a word, as a crash does.
func (p *testPool) kill(i int) { p.hosts[i].RemoveAddr(p.addrs[i]) }

func TestResolveUsesCacheUntilTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr, pe2Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{p.remote}})
		resolve := func() []wire.PoolElement {
			t.Helper()
			els, err := u.Resolve(t.Context(), echoHandle)
			if err != nil {
				t.Fatal(err)
			}
			return els
		}
		first := resolve()
		if len(first) != 2 {
			t.Fatalf("resolved %d elements, want 2", len(first))
		}
		second := resolve()
		if n := p.reg.Stats().Resolutions; n != 1 {
			t.Errorf("%d resolutions at the registrar within the cache time, want 1", n)
		}
		if second[0].ID != first[1].ID {
			t.Errorf("the cache handed out %v first twice; want them in turn", ElementString(first[0]))
		}
		time.Sleep(DefaultCacheTTL)
		resolve()
		if n := p.reg.Stats().Resolutions; n != 2 {
			t.Errorf("%d resolutions at the registrar after the cache time, want 2", n)
		}
	})
}

func TestResolveWithoutCacheAndWithItems(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr, pe2Addr, pe3Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{p.remote}, CacheTTL: -1, Items: 1})
		for range 3 {
			els, err := u.Resolve(t.Context(), echoHandle)
			if err != nil || len(els) != 1 {
				t.Fatalf("resolved %d elements (%v), want the 1 item asked for", len(els), err)
			}
		}
		if n := p.reg.Stats().Resolutions; n != 3 {
			t.Errorf("%d resolutions at the registrar, want 3 without a cache", n)
		}
	})
}

func TestResolveUnknownPool(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, reg := w.registrar("registrar", reg1Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{reg}})
		if _, err := u.Resolve(t.Context(), wire.PoolHandle("nobody")); !errors.Is(err, ErrNoElement) {
			t.Errorf("error %v, want ErrNoElement", err)
		}
	})
}

// TestResolveAtNextRegistrar lists a registrar that does not exist first.
func TestResolveAtNextRegistrar(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr)
		dead := stack.Remote{Addrs: []netip.Addr{reg2Addr}, Port: wire.PortASAP, UDPPort: wire.PortASAP}
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{dead, p.remote}})
		start := time.Now()
		if els, err := u.Resolve(t.Context(), echoHandle); err != nil || len(els) != 1 {
			t.Fatalf("resolved %d elements: %v", len(els), err)
		}
		if took := time.Since(start); took < DefaultRequestTimeout || took > DefaultRequestTimeout+time.Second {
			t.Errorf("took %v, want the request timeout for the dead registrar and a round trip", took)
		}
	})
}

func TestReportUnreachable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		p := newPool(t, w, pe1Addr, pe2Addr)
		u := w.user("pu", puAddr, UserConfig{Registrars: []stack.Remote{p.remote}})
		if _, err := u.Resolve(t.Context(), echoHandle); err != nil {
			t.Fatal(err)
		}
		gone := p.els[0].ID()
		if err := u.ReportUnreachable(t.Context(), echoHandle, gone); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			els, _ := u.Resolve(t.Context(), echoHandle)
			if len(els) != 1 || els[0].ID == gone {
				t.Errorf("the cache still gives the reported element: %v", els)
			}
		}
		time.Sleep(time.Second)
		if n := p.reg.Stats().Unreachables; n != 1 {
			t.Errorf("registrar received %d unreachable reports, want 1", n)
		}
	})
}
