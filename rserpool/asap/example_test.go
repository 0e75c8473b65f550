package asap_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// A registrar, an echo pool element and a pool user's session, on
// loopback.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	loopback := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	pool := wire.PoolHandle("EchoPool")

	reg, err := registrar.Listen(registrar.Config{Endpoint: stack.Config{LocalAddrs: loopback, EphemeralUDPPort: true}})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	registrars := []stack.Remote{{Addrs: reg.LocalAddrs(), Port: reg.Port(), UDPPort: reg.UDPPort()}}

	// The pool element: its endpoint uses one number as SCTP and UDP port.
	ep, err := asap.ElementEndpoint(stack.Config{LocalAddrs: loopback})
	if err != nil {
		panic(err)
	}
	defer ep.Close()
	pe, err := asap.NewElement(ep, asap.ElementConfig{Handle: pool, Registrars: registrars})
	if err != nil {
		panic(err)
	}
	defer pe.Close()
	for ev := range pe.Events() {
		if ev.Type == asap.ElementRegistered {
			break
		}
	}
	go func() {
		c, err := pe.Accept(ctx)
		if err != nil {
			return
		}
		for {
			m, err := c.Recv(ctx)
			if err != nil {
				return
			}
			if m.Type == asap.MessageData { // a MessageCookieEcho would restore the state
				c.Send(ctx, m.Data, stack.SendInfo{PPID: m.PPID})
				c.SendCookie(ctx, []byte("state after this message"))
			}
		}
	}()

	// The pool user.
	uep, err := stack.NewEndpoint(stack.Config{LocalAddrs: loopback})
	if err != nil {
		panic(err)
	}
	defer uep.Close()
	pu, err := asap.NewUser(uep, asap.UserConfig{Registrars: registrars})
	if err != nil {
		panic(err)
	}
	defer pu.Close()
	s, err := pu.Connect(ctx, pool, asap.SessionConfig{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	seq, err := s.Send(ctx, []byte("hello"), stack.SendInfo{PPID: 42})
	if err != nil {
		panic(err)
	}
	m, err := s.Recv(ctx)
	if err != nil {
		panic(err)
	}
	s.Ack(seq) // answered: a failover will not send it again
	fmt.Printf("%s (PPID %d)\n", m.Data, m.PPID)
	// Output: hello (PPID 42)
}
