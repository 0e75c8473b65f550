package asap

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Registrars prove themselves to keyed elements (RFC 5355): an element
// with ElementConfig.KeyID takes only answers authenticated with its key.

const elementKeyID = 5

var elementKey = bytes.Repeat([]byte{0x5e}, registrar.MinKeyLen)

// signingEndpoint opens an endpoint from cfg that signs with key id and
// asks its peers to authenticate DATA.
func (w *world) signingEndpoint(cfg stack.Config, id uint16, key []byte) *stack.Endpoint {
	ep := w.endpoint(cfg.WithAuthenticatedData())
	ep.SetKey(id, key)
	if err := ep.ActivateKey(id); err != nil {
		w.t.Fatal(err)
	}
	return ep
}

// keyedElement starts a pool element on the host of ecfg whose endpoint
// signs with the element key and asks its peers to authenticate DATA.
func (w *world) keyedElement(ecfg stack.Config, cfg ElementConfig) *Element {
	ep := w.signingEndpoint(ecfg, elementKeyID, elementKey)
	cfg.KeyID = elementKeyID
	e, err := NewElement(ep, cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { e.Close() })
	return e
}

// A keyed element whose first registrar does not hold its key (one heard
// in a forged Server Announce, say) leaves it for the next, which does:
// the first registrar's answer is not authenticated with the key. The
// registrar that holds it signs its answers with the key the element
// signed with.
func TestElementRegistrarMustProveItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		rogue, _, rogueRemote := w.registrar("rogue", netip.MustParseAddr("192.0.2.66"))
		w.keys = []registrar.ElementKey{{ID: elementKeyID, Key: elementKey}}
		genuine, _, genuineRemote := w.registrar("genuine", reg1Addr)
		_, ecfg := w.host("pe", pe1Addr, 7000)
		e := w.keyedElement(ecfg, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{rogueRemote, genuineRemote}})

		lost := elementEvent(t, e, ElementRegistrarLost)
		if !errors.Is(lost.Err, ErrRegistrarNotProven) || lost.Registrar.Addrs[0] != rogueRemote.Addrs[0] {
			t.Errorf("first event: registrar %v lost with %v, want the rogue and ErrRegistrarNotProven", lost.Registrar, lost.Err)
		}
		reg := elementEvent(t, e, ElementRegistered)
		if reg.Registrar.Addrs[0] != genuineRemote.Addrs[0] {
			t.Errorf("registered at %v, want %v", reg.Registrar, genuineRemote)
		}
		time.Sleep(time.Second) // virtual: the rogue notices the abort
		if n, _ := tableSize(genuine); n != 1 {
			t.Errorf("the genuine registrar holds %d elements, want 1", n)
		}
		if n, _ := tableSize(rogue); n != 0 {
			t.Errorf("the rogue still holds %d elements after the element left it", n)
		}
	})
}

// The element's key cannot be named without the endpoint asking for
// authenticated DATA: no registrar could ever prove itself.
func TestElementKeyNeedsAuthenticatedData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, reg := w.registrar("registrar", reg1Addr)
		_, cfg := w.host("pe", pe1Addr, 7000)
		_, err := NewElement(w.endpoint(cfg), ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}, KeyID: elementKeyID})
		if err == nil || !contains(err.Error(), "KeyID") {
			t.Errorf("NewElement: %v, want an error naming KeyID", err)
		}
	})
}

// A keyed element follows a takeover by a registrar that holds its key
// (the new home dials with the empty key; the element registers over the
// new association, and that answer is signed with the element's key), but
// not a Home keep-alive from a host that does not hold it: the element
// registers there too, the answer is not proven, and the element aborts
// that association and keeps its home.
func TestElementTakeoverNeedsProof(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.keys = []registrar.ElementKey{{ID: elementKeyID, Key: elementKey}}
		_, reg1 := w.peeredRegistrar(1, reg1Addr)
		r2Addr := reg2Addr
		r2, reg2 := w.peeredRegistrar(2, r2Addr, reg1Addr)
		forger := stack.Remote{Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.66")}, Port: wire.PortASAP, UDPPort: wire.PortASAP}
		// The stack's default timers: the element would notice its
		// registrar's death only at its next re-registration, 30 s on.
		_, ecfg := w.plainHost("pe", pe1Addr, 7000)
		e := w.keyedElement(ecfg, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg1, reg2, forger}})
		elementEvent(t, e, ElementRegistered)

		forgeHomeKeepAlive(t, w, forger, e)
		failed := elementEvent(t, e, ElementRegistrationFailed)
		if !errors.Is(failed.Err, ErrRegistrarNotProven) {
			t.Errorf("after the forged Home keep-alive: %v, want ErrRegistrarNotProven", failed.Err)
		}

		w.kill(reg1Addr)
		moved := elementEvent(t, e, ElementHomeChanged)
		if moved.Registrar.Addrs[0] != r2Addr {
			t.Errorf("new home %v, want registrar 2 at %v", moved.Registrar, r2Addr)
		}
		if _, own := tableSize(r2); own != 1 {
			t.Errorf("registrar 2 is home for %d elements, want 1", own)
		}
	})
}

// forgeHomeKeepAlive plays a host at forger's address that holds no
// element key: it opens an association to e from the registrar port, as
// a takeover would, sends an Endpoint Keep-Alive with the Home flag and
// accepts the Registration that follows with the empty key.
func forgeHomeKeepAlive(t *testing.T, w *world, forger stack.Remote, e *Element) {
	t.Helper()
	_, cfg := w.host("forger", forger.Addrs[0], wire.PortASAP)
	ep := w.endpoint(cfg)
	to := stack.Remote{Addrs: []netip.Addr{pe1Addr}, Port: 7000, UDPPort: 7000}
	a, err := ep.Dial(t.Context(), to)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if err := sendASAP(ctx, a, &wire.EndpointKeepAlive{Handle: echoHandle, PEID: e.ID(), Home: true}); err != nil {
		t.Fatal(err)
	}
	go func() {
		r := newReader(a)
		for {
			b, _, err := r.next(context.Background())
			if err != nil {
				return
			}
			if m, err := wire.ParseASAP(b); err == nil && m.Type() == wire.ASAPRegistration {
				sendASAP(ctx, a, &wire.RegistrationResponse{Handle: echoHandle, PEID: e.ID()})
			}
		}
	}()
}

const userKeyID = 7

var userKey = bytes.Repeat([]byte{0x7a}, registrar.MinKeyLen)

// A pool user holding a user key of its registrars takes answers only
// from a registrar that signs with it: it leaves one that does not for
// the next of its list, and resolves there.
func TestUserRegistrarMustProveItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, rogue := w.registrar("rogue", netip.MustParseAddr("192.0.2.66"))
		w.userKeys = []registrar.UserKey{{ID: userKeyID, Key: userKey}}
		_, _, genuine := w.registrar("genuine", reg1Addr)
		w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{genuine}})

		u := keyedUser(t, w, puAddr, rogue, genuine)
		var (
			els []wire.PoolElement
			err error
		)
		for range 50 { // until the element has registered
			if els, err = u.Resolve(t.Context(), echoHandle); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil || len(els) != 1 || els[0].UserTransport.Addrs[0] != pe1Addr {
			t.Fatalf("resolution: %v, %v; want the element at %v", els, err, pe1Addr)
		}
		lone := keyedUser(t, w, netip.MustParseAddr("192.0.2.22"), rogue)
		if _, err := lone.Resolve(t.Context(), echoHandle); !errors.Is(err, ErrRegistrarNotProven) {
			t.Errorf("a resolution at the rogue alone: %v, want ErrRegistrarNotProven", err)
		}
	})
}

// keyedUser starts a pool user at addr that signs with the user key.
func keyedUser(t *testing.T, w *world, addr netip.Addr, regs ...stack.Remote) *User {
	_, cfg := w.host(addr.String(), addr, 0)
	u, err := NewUser(w.signingEndpoint(cfg, userKeyID, userKey), UserConfig{Registrars: regs, KeyID: userKeyID, CacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { u.Close() })
	return u
}
