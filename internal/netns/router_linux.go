package netns

import (
	"fmt"
	"net/netip"
	"os/exec"
	"testing"
)

// Uplink is a host's interface toward a router: its name, the host's
// address on it and the router's (the gateway).
type Uplink struct {
	Ifname  string
	Addr    netip.Prefix
	Gateway netip.Addr
}

// Router is a namespace that forwards IPv4 between the hosts attached
// to it.
type Router struct {
	*NS
	links int
}

// NewRouter creates a router namespace.
func NewRouter(t testing.TB, hint string) *Router {
	t.Helper()
	r := &Router{NS: New(t, hint)}
	if out, err := exec.Command("ip", "netns", "exec", r.Name, "sysctl", "-qw", "net.ipv4.ip_forward=1").CombinedOutput(); err != nil {
		t.Fatalf("router forwarding: %v %s", err, out)
	}
	return r
}

// Attach joins host to the router by a veth pair per uplink. The host
// keeps its address on the first uplink only, with the default route
// through it; the others are where a move goes (Move).
func (r *Router) Attach(host *NS, ups ...Uplink) {
	r.t.Helper()
	for i, u := range ups {
		r.links++
		Veth(r.t, host, u.Ifname, u.Addr, r.NS, fmt.Sprintf("r%d", r.links), netip.PrefixFrom(u.Gateway, u.Addr.Bits()))
		if i > 0 {
			host.IP("addr", "del", u.Addr.String(), "dev", u.Ifname)
		}
	}
	host.IP("route", "add", "default", "via", ups[0].Gateway.String())
}

// Leave takes the host's address on uplink u away: break before make.
func (ns *NS) Leave(u Uplink) {
	ns.t.Helper()
	ns.IP("addr", "del", u.Addr.String(), "dev", u.Ifname)
}

// Arrive gives the host its address on uplink u and the default route
// through it.
func (ns *NS) Arrive(u Uplink) {
	ns.t.Helper()
	ns.IP("addr", "add", u.Addr.String(), "dev", u.Ifname)
	ns.IP("route", "replace", "default", "via", u.Gateway.String())
}
