package netns

import (
	"net"

	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/stdnet"
)

// Net is the host network as seen from inside the namespace: sockets are
// opened, and interfaces listed, on a thread switched into it. Give it as
// the Net of an endpoint that lives in the namespace, so that sockets it
// opens later (a new address appeared) land there too.
type Net struct {
	*stdnet.Net
	ns *NS
}

var _ transport.Net = (*Net)(nil)

// Net returns the namespace's view of the network.
func (ns *NS) Net() *Net {
	n, err := stdnet.NewNet()
	if err != nil {
		ns.t.Fatalf("stdnet: %v", err)
	}
	return &Net{Net: n, ns: ns}
}

// in runs f inside the namespace and returns what it returned.
func in[T any](ns *NS, f func() (T, error)) (T, error) {
	var v T
	var ferr error
	if err := ns.Do(func() error { v, ferr = f(); return nil }); err != nil {
		return v, err
	}
	return v, ferr
}

// ListenUDP opens a UDP socket in the namespace.
func (n *Net) ListenUDP(network string, laddr *net.UDPAddr) (transport.UDPConn, error) {
	return in(n.ns, func() (transport.UDPConn, error) { return net.ListenUDP(network, laddr) })
}

// ListenPacket opens a packet socket in the namespace.
func (n *Net) ListenPacket(network, address string) (net.PacketConn, error) {
	return in(n.ns, func() (net.PacketConn, error) { return net.ListenPacket(network, address) })
}

// Interfaces lists the namespace's interfaces with their addresses.
func (n *Net) Interfaces() ([]*transport.Interface, error) {
	return in(n.ns, func() ([]*transport.Interface, error) {
		ifs, err := net.Interfaces()
		if err != nil {
			return nil, err
		}
		out := make([]*transport.Interface, 0, len(ifs))
		for _, ifc := range ifs {
			ti := transport.NewInterface(ifc)
			addrs, err := ifc.Addrs()
			if err != nil {
				return nil, err
			}
			for _, a := range addrs {
				ti.AddAddress(a)
			}
			out = append(out, ti)
		}
		return out, nil
	})
}
