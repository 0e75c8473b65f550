package mobility_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/mobility"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/stack"
)

// fixedAddrs is an AddressWatcher that reports the same addresses once
// and then waits: the example stays on loopback. A real node leaves
// Endpoint.AddressWatcher nil to follow the host's interfaces.
type fixedAddrs struct{ addrs []netip.Addr }

func (w *fixedAddrs) Next(ctx context.Context) ([]netip.Addr, error) {
	if a := w.addrs; a != nil {
		w.addrs = nil
		return a, nil
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

// Two mobile nodes and a registrar on loopback: node A dials node B by its
// pool handle, B learns A's handle from A's Business Card, and a message
// goes through. Had either node moved, it would have re-registered, and
// the other would have resolved its handle to find it again.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	loopback := []netip.Addr{netip.MustParseAddr("127.0.0.1")}

	// An ephemeral UDP port, so that the example does not take 9899 from
	// another registrar or SCTP stack on this host.
	reg, err := registrar.Listen(registrar.Config{Endpoint: stack.Config{LocalAddrs: loopback, EphemeralUDPPort: true}})
	if err != nil {
		panic(err)
	}
	defer reg.Close()
	registrars := []stack.Remote{{Addrs: reg.LocalAddrs(), Port: reg.Port(), UDPPort: reg.UDPPort()}}

	node := func(handle string) *mobility.Node {
		n, err := mobility.NewNode(mobility.Config{
			Handle:     []byte(handle),
			Registrars: registrars,
			Endpoint:   stack.Config{LocalAddrs: loopback, AddressWatcher: &fixedAddrs{loopback}},
			Handover:   mobility.ControllerConfig{Deadline: time.Minute},
		})
		if err != nil {
			panic(err)
		}
		for ev := range n.Events() { // wait until it is registered
			if ev.Type == mobility.EventReregistered && ev.Err == nil {
				break
			}
		}
		return n
	}
	b := node("node-b")
	defer b.Close()
	a := node("node-a")
	defer a.Close()

	accepted := make(chan *mobility.Conn)
	go func() {
		c, err := b.Accept(ctx)
		if err != nil {
			panic(err)
		}
		accepted <- c
	}()
	ca, err := a.Dial(ctx, []byte("node-b"))
	if err != nil {
		panic(err)
	}
	defer ca.Close()
	cb := <-accepted
	defer cb.Close()

	if err := ca.Send(ctx, []byte("hello from A"), 1); err != nil {
		panic(err)
	}
	buf := make([]byte, 64)
	n, stream, err := cb.Recv(ctx, buf)
	if err != nil {
		panic(err)
	}
	fmt.Printf("B received %q on stream %d\n", buf[:n], stream)
	for ev := range cb.Events() {
		if ev.Type == mobility.EventPeerHandle {
			fmt.Printf("B's peer is %q\n", cb.PeerHandle())
			break
		}
	}
	// Output:
	// B received "hello from A" on stream 1
	// B's peer is "node-a"
}
