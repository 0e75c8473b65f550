package registrar

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Server Announces (RFC 5352) tell pool elements and users on the local
// network where a registrar is, so that they need no configured list. They
// go by plain UDP (not SCTP over UDP) to the ASAP announce group, or to any
// address given; the multicast interface is the operating system's choice
// for the group. The announce names the registrar's SCTP port and
// addresses; the UDP encapsulation port is not part of it, so clients
// assume the standard one (9899).

// openAnnounce opens the socket announces are sent from.
func openAnnounce(dst netip.AddrPort, ttl int) (*net.UDPConn, error) {
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(dst))
	if err != nil {
		return nil, fmt.Errorf("registrar: announce socket: %w", err)
	}
	if dst.Addr().IsMulticast() {
		if dst.Addr().Is4() {
			err = ipv4.NewPacketConn(c).SetMulticastTTL(ttl)
		} else {
			err = ipv6.NewPacketConn(c).SetMulticastHopLimit(ttl)
		}
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("registrar: announce TTL: %w", err)
		}
	}
	return c, nil
}

// serverAnnounce returns the Server Announce of this registrar.
func (r *Registrar) serverAnnounce() []byte {
	t := wire.Transport{Type: wire.ParamSCTPTransport, Port: r.ep.Port(), Addrs: r.ep.LocalAddrs()}
	return wire.AppendASAP(nil, &wire.ServerAnnounce{ServerID: r.cfg.ServerID, Transports: []wire.Transport{t}})
}

// announce sends Server Announces on c until ctx is done.
func (r *Registrar) announce(ctx context.Context, c *net.UDPConn) {
	defer c.Close()
	msg := r.serverAnnounce()
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := c.Write(msg); err != nil {
			r.log.Warnf("server announce to %v: %v", c.RemoteAddr(), err)
		} else {
			r.core.counted(func(s *counters) { s.Announces++ })
		}
		t.Reset(jitter(r.cfg.AnnounceInterval))
	}
}

// jitter returns d moved at random by up to a quarter either way, so that
// registrars started together do not announce in step.
func jitter(d time.Duration) time.Duration {
	q := int64(d / 4)
	if q <= 0 {
		return d
	}
	return d - time.Duration(q) + time.Duration(rand.Int64N(2*q+1))
}
