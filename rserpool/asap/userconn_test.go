package asap

import (
	"errors"
	"io"
	"net/netip"
	"testing"
	"testing/synctest"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// TestUserConnSeparatesControl has a pool user send, on one association,
// a malformed ASAP message, a Cookie (which users do not send), a Cookie
// Echo, data and a Business Card: the element receives the Cookie Echo,
// the data and the card, in order, and counts the two others.
func TestUserConnSeparatesControl(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		_, _, reg := w.registrar("registrar", reg1Addr)
		e, _ := w.element("pe", pe1Addr, ElementConfig{Handle: echoHandle, Registrars: []stack.Remote{reg}})
		_, ucfg := w.host("pu", puAddr, 0)
		a, err := w.endpoint(ucfg).Dial(t.Context(), stack.Remote{Addrs: []netip.Addr{pe1Addr}, Port: 7000, UDPPort: 7000})
		if err != nil {
			t.Fatal(err)
		}
		card := wire.BusinessCard{Handle: echoHandle, Elements: []wire.PoolElement{{ID: 9, Policy: wire.Policy{Type: wire.PolicyRoundRobin},
			UserTransport: wire.Transport{Type: wire.ParamSCTPTransport, Port: 7000, Addrs: []netip.Addr{pe2Addr}}}}}
		asap := stack.SendInfo{PPID: wire.PPIDASAP}
		for _, msg := range []struct {
			b    []byte
			info stack.SendInfo
		}{
			{[]byte{0x0c, 0, 0, 99}, asap},
			{wire.AppendASAP(nil, &wire.CookieMessage{Cookie: []byte("mine")}), asap},
			{wire.AppendASAP(nil, &wire.CookieEcho{Cookie: []byte("state")}), asap},
			{[]byte("data"), stack.SendInfo{Stream: 1, PPID: 42}},
			{wire.AppendASAP(nil, &card), asap},
		} {
			if err := a.SendMsg(t.Context(), msg.b, msg.info); err != nil {
				t.Fatal(err)
			}
		}
		a.Shutdown(t.Context())

		c, err := e.Accept(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := []Message{
			{Type: MessageCookieEcho, Data: []byte("state"), PPID: wire.PPIDASAP},
			{Type: MessageData, Data: []byte("data"), Stream: 1, PPID: 42},
			{Type: MessageBusinessCard, PPID: wire.PPIDASAP},
		}
		for _, w := range want {
			m, err := c.Recv(t.Context())
			if err != nil || m.Type != w.Type || string(m.Data) != string(w.Data) || m.Stream != w.Stream || m.PPID != w.PPID {
				t.Fatalf("received %+v, %v; want %+v", m, err, w)
			}
			if m.Type == MessageBusinessCard && (len(m.Card.Elements) != 1 || m.Card.Elements[0].UserTransport.Addrs[0] != pe2Addr) {
				t.Errorf("card %+v", m.Card)
			}
		}
		if _, err := c.Recv(t.Context()); !errors.Is(err, io.EOF) {
			t.Errorf("after the shutdown: %v, want EOF", err)
		}
		if n := c.Discarded(); n != 2 {
			t.Errorf("%d discarded, want 2", n)
		}
		if err := c.Send(t.Context(), []byte("x"), stack.SendInfo{PPID: wire.PPIDASAP}); !errors.Is(err, ErrReservedPPID) {
			t.Errorf("send on PPID 11: %v", err)
		}
	})
}
