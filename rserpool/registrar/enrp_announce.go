package registrar

import (
	"context"
	"net"
	"net/netip"
	"slices"

	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Registrars also find each other by the Presences they send by UDP to the
// ENRP multicast group (RFC 5353 section 3.1; RSPLIB's default group is
// wire.ENRPAnnounceAddr). A Presence from a registrar this one has no
// association with names, in its Server Information, the sender's ENRP
// endpoint: this registrar dials it, and from then on the peer is like a
// configured one, except that it is not dialed again once forgotten. The
// state machine hears only what comes over associations.

// openENRPAnnounce opens the sockets of ENRP announces, as configured.
func (r *Registrar) openENRPAnnounce() error {
	e := &r.cfg.ENRP
	if e.Announce.IsValid() {
		c, err := openAnnounce(e.Announce, r.cfg.AnnounceTTL)
		if err != nil {
			return err
		}
		r.enrp.announce = c
		context.AfterFunc(r.ctx, func() { c.Close() })
	}
	listen := e.AnnounceListen
	if !listen.IsValid() && e.Announce.Addr().IsMulticast() {
		listen = e.Announce
	}
	if !listen.IsValid() {
		return nil
	}
	var c *net.UDPConn
	var err error
	if listen.Addr().IsMulticast() {
		c, err = net.ListenMulticastUDP("udp", nil, net.UDPAddrFromAddrPort(listen))
	} else {
		c, err = net.ListenUDP("udp", net.UDPAddrFromAddrPort(listen))
	}
	if err != nil {
		if r.enrp.announce != nil {
			r.enrp.announce.Close()
		}
		return err
	}
	r.wg.Go(func() { r.readENRPAnnounces(c) })
	context.AfterFunc(r.ctx, func() { c.Close() })
	return nil
}

// readENRPAnnounces takes in Presences until the socket is closed.
func (r *Registrar) readENRPAnnounces(c *net.UDPConn) {
	buf := make([]byte, 1<<16)
	for {
		n, from, err := c.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		v, err := enrpsm.Decode(buf[:n])
		p, ok := v.(*wire.Presence)
		if err != nil || !ok || p.Sender == 0 || p.Sender == r.cfg.ServerID || p.Server.Transport.Type != wire.ParamSCTPTransport {
			r.core.counted(func(s *counters) { s.Ignored++ })
			continue
		}
		if to, ok := r.core.discovered(p, from.Addr().Unmap()); ok {
			r.wg.Go(func() { r.enrpDialOnce(p.Sender, to) })
		}
	}
}

// discovered reports whether the sender of a Presence heard by UDP is a
// registrar to dial, and where.
func (c *core) discovered(p *wire.Presence, src netip.Addr) (stack.Remote, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	x := c.enrp
	if x.links[p.Sender] != nil || x.dialing[p.Sender] {
		return stack.Remote{}, false
	}
	t := p.Server.Transport
	addrs := slices.DeleteFunc(slices.Clone(t.Addrs), netip.Addr.IsUnspecified)
	if len(addrs) == 0 {
		addrs = []netip.Addr{src}
	}
	x.dialing[p.Sender] = true
	return stack.Remote{Addrs: addrs, Port: t.Port, UDPPort: t.Port}, true
}

// enrpDialOnce dials a registrar found by its Presence and serves the
// association.
func (r *Registrar) enrpDialOnce(id wire.ServerID, to stack.Remote) {
	r.enrpConnect(to)
	c := r.core
	c.mu.Lock()
	delete(c.enrp.dialing, id)
	c.mu.Unlock()
}
