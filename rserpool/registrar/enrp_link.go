package registrar

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// Registrars talk ENRP over associations between their ENRP endpoints.
// Each registrar dials the peers it is configured with, again and again
// while they are down, and accepts the associations of any other; a peer
// is known by the server ID its first message names, and later messages
// on the association must name the same one.
//
// A pair of registrars keeps one association. SCTP itself allows one
// between two endpoints, so when both dial at once their INITs collide
// into one; a second association with a known peer comes from a restart
// or from other addresses. A newer association dialed by the same side
// replaces an older one, which must have failed unnoticed; between one
// each side dialed, both keep the one the lower server ID dialed. The
// loser is aborted, and messages on an association that is not the
// peer's are dropped. Table transfers carry no transaction identifier, so
// a request and its answers must travel on one association: whenever the
// peer's association changes, the machine hears it as down and up again,
// and both transfers start over.

// enrpNet is what the registrar opens for ENRP: its endpoint, and the
// socket Presences go out by UDP (nil unless configured).
type enrpNet struct {
	ep       *stack.Endpoint
	announce *net.UDPConn
}

// link is an association with a peer registrar.
type link struct {
	a      *stack.Association
	dialed bool // by this registrar
	// Guarded by core.mu: the peer, once it spoke; the messages waiting
	// to be sent; whether the queue overflowed.
	id      wire.ServerID
	dist    uint32 // the association's round-trip time, for the distance of the peer's elements
	out     [][]byte
	overrun bool
	kick    chan struct{} // wakes the link's sender
}

func newLink(a *stack.Association, dialed bool) *link {
	return &link{a: a, dialed: dialed, kick: make(chan struct{}, 1)}
}

// sendTimeout bounds the wait for room in a peer's send buffer.
const sendTimeout = 10 * time.Second

// startENRP opens the ENRP endpoint and starts peering, if configured.
func (r *Registrar) startENRP() error {
	e := &r.cfg.ENRP
	if e.Port == 0 {
		return nil
	}
	epCfg := r.cfg.Endpoint
	epCfg.Port, epCfg.UDPPort, epCfg.PacketConn = e.Port, e.Port, e.PacketConn
	ep, err := stack.Listen(e.authConfig(epCfg))
	if err != nil {
		return fmt.Errorf("registrar: ENRP endpoint: %w", err)
	}
	if err := e.installKey(ep); err != nil {
		ep.Close()
		return fmt.Errorf("registrar: ENRP key: %w", err)
	}
	r.enrp = &enrpNet{ep: ep}
	self := wire.Transport{Type: wire.ParamSCTPTransport, Port: e.Port, Addrs: ep.LocalAddrs()}
	c := r.core
	c.mu.Lock()
	c.enrp = newENRPCore(enrpsm.New(r.cfg.machineConfig(self), c.enrpTable(), time.Now()))
	c.mu.Unlock()
	if err := r.openENRPAnnounce(); err != nil {
		ep.Close()
		return fmt.Errorf("registrar: ENRP announces: %w", err)
	}
	r.wg.Go(r.enrpAccept)
	r.wg.Go(r.enrpTimers)
	r.wg.Go(r.enrpSender)
	for _, p := range e.Peers {
		if p.UDPPort == 0 {
			p.UDPPort = p.Port
		}
		r.wg.Go(func() { r.enrpDial(p) })
	}
	r.log.Infof("ENRP on SCTP/UDP port %d, %d configured peers", e.Port, len(e.Peers))
	return nil
}

// enrpAccept serves the associations peers open.
func (r *Registrar) enrpAccept() {
	for {
		a, err := r.enrp.ep.Accept(r.ctx)
		if err != nil {
			return
		}
		r.wg.Go(func() { r.serveLink(newLink(a, false)) })
	}
}

// enrpDial keeps an association with a configured peer: it dials, says
// Hello, serves the association until it ends, and starts over after a
// pause.
// While the peer has an association this registrar did not dial (the
// one the peer dialed, which won), it does not dial.
func (r *Registrar) enrpDial(to stack.Remote) {
	var id wire.ServerID // the peer's, once known
	for r.ctx.Err() == nil {
		if id == 0 || !r.core.hasLink(id) {
			if got := r.enrpConnect(to); got != 0 {
				id = got
			}
		}
		sleep(r.ctx, r.cfg.ENRP.Redial)
	}
}

// hasLink reports whether peer id has an association.
func (c *core) hasLink(id wire.ServerID) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enrp.links[id] != nil
}

// enrpConnect dials a peer, says Hello and serves the association until
// it ends; it returns the peer's server ID, if it spoke.
func (r *Registrar) enrpConnect(to stack.Remote) wire.ServerID {
	ctx, cancel := context.WithTimeout(r.ctx, sendTimeout)
	a, err := r.enrp.ep.Dial(ctx, to)
	cancel()
	if ae := (*stack.AssociatedError)(nil); errors.As(err, &ae) {
		// The peer dialed first and that association serves the link: a
		// second one would restart it at the peer.
		return r.core.linkOver(ae.Association)
	}
	if err != nil {
		r.log.Debugf("ENRP peer %v: %v", to.Addrs, err)
		return 0
	}
	c := r.core
	c.mu.Lock()
	hello := wire.AppendENRP(nil, c.enrp.m.Hello())
	c.mu.Unlock()
	if a.SendMsg(r.ctx, hello, stack.SendInfo{PPID: wire.PPIDENRP}) != nil {
		a.Abort("ENRP hello failed")
		return 0
	}
	l := newLink(a, true)
	r.serveLink(l)
	c.mu.Lock()
	defer c.mu.Unlock()
	return l.id
}

// linkOver returns the server ID of the peer on the link over a, 0 if
// none has spoken there (yet).
func (c *core) linkOver(a *stack.Association) wire.ServerID {
	c.mu.Lock()
	defer c.mu.Unlock()
	for l := range c.enrp.all {
		if l.a == a {
			return l.id
		}
	}
	return 0
}

// serveLink reads a peer's messages until the association ends; its
// sender runs beside it.
func (r *Registrar) serveLink(l *link) {
	if err := r.cfg.ENRP.authenticated(l.a); err != nil {
		r.log.Warnf("%v from %v", err, l.a.RemoteAddr())
		l.a.Abort(err.Error())
		return
	}
	c := r.core
	c.mu.Lock()
	c.enrp.all[l] = struct{}{}
	c.mu.Unlock()
	done := make(chan struct{})
	defer close(done)
	r.wg.Go(func() { r.linkSender(l, done) })
	buf := make([]byte, maxMessage+1)
	var dist uint32
	var measured time.Time
	for {
		n, info, err := l.a.RecvMsg(r.ctx, buf)
		if err != nil {
			break
		}
		if !info.EOR || info.PPID != wire.PPIDENRP {
			c.counted(func(s *counters) { s.Ignored++ })
			if !info.EOR && discardRest(r.ctx, l.a) != nil {
				break
			}
			continue
		}
		now := time.Now()
		if dist == 0 || now.Sub(measured) >= distanceRefresh {
			dist, measured = distance(l.a.Paths()), now // before locking: it waits for the association's loop
		}
		c.enrpReceive(l, buf[:n], dist, now)
	}
	c.linkDown(l, time.Now())
	l.a.Close()
}

// discardRest reads and drops the rest of an oversized message.
func discardRest(ctx context.Context, a *stack.Association) error {
	var scrap [4096]byte
	for {
		_, info, err := a.RecvMsg(ctx, scrap[:])
		if err != nil || info.EOR {
			return err
		}
	}
}

// enrpReceive hands one message from l, whose association's distance is
// dist, to the machine.
func (c *core) enrpReceive(l *link, msg []byte, dist uint32, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l.dist = dist
	x := c.enrp
	v, err := enrpsm.Decode(msg)
	if err != nil {
		x.stats.Malformed++
		c.log.Debugf("malformed ENRP message: %v", err)
		return
	}
	sender := v.Header().Sender
	switch {
	case sender == 0 || sender == c.cfg.ServerID:
		x.stats.Malformed++
		return
	case l.id == 0:
		l.id = sender
		c.adopt(l, now)
	case l.id != sender:
		x.stats.Malformed++ // a peer speaks for itself only
		return
	}
	if x.links[sender] != l {
		x.stats.Superseded++
		return
	}
	c.enrpDo(x.m.Receive(now, v), now)
}

// adopt makes l the association of its peer, unless the peer has one it
// prefers; the loser is aborted.
func (c *core) adopt(l *link, now time.Time) {
	x := c.enrp
	cur := x.links[l.id]
	switch {
	case cur == nil:
		x.links[l.id] = l
		c.log.Infof("ENRP peer $%08x at %v", uint32(l.id), l.a.RemoteAddr())
		c.enrpDo(x.m.LinkUp(now, l.id), now)
	case c.prefer(l, cur):
		x.links[l.id] = l
		c.abortLink(cur)
		c.enrpDo(x.m.LinkDown(now, l.id), now)
		c.enrpDo(x.m.LinkUp(now, l.id), now)
	default:
		c.abortLink(l)
	}
}

// prefer reports whether l replaces cur, another association with the
// same peer: the one the lower server ID dialed wins, on both sides; of
// two dialed by the same side, the newer.
func (c *core) prefer(l, cur *link) bool {
	if l.dialed == cur.dialed {
		return true
	}
	return l.dialed == (c.cfg.ServerID < l.id)
}

// abortLink has the sender abort l (not under the mutex: that waits for
// the association's loop).
func (c *core) abortLink(l *link) {
	c.enrp.aborts = append(c.enrp.aborts, l)
	signal(c.enrp.send)
}

// linkDown forgets l; the machine hears of it if it was the peer's
// association.
func (c *core) linkDown(l *link, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	x := c.enrp
	delete(x.all, l)
	if l.id == 0 || x.links[l.id] != l {
		return
	}
	delete(x.links, l.id)
	c.enrpDo(x.m.LinkDown(now, l.id), now)
}

// enrpTimers runs the machine's timers.
func (r *Registrar) enrpTimers() {
	c := r.core
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		now := time.Now()
		c.mu.Lock()
		if !now.Before(c.enrp.m.Next()) {
			c.enrpDo(c.enrp.m.Tick(now), now)
		}
		next := c.enrp.m.Next()
		c.mu.Unlock()
		t.Reset(time.Until(next))
		select {
		case <-t.C:
		case <-c.enrp.tick:
		case <-r.ctx.Done():
			return
		}
	}
}

// enrpSender sends the Presences for the announce socket, aborts the
// associations of peers found dead or too far behind, and starts the Home
// keep-alives.
func (r *Registrar) enrpSender() {
	c := r.core
	for {
		select {
		case <-c.enrp.send:
		case <-r.ctx.Done():
			return
		}
		c.mu.Lock()
		homes, aborts, mcast := c.enrp.homes, c.enrp.aborts, c.enrp.mcast
		c.enrp.homes, c.enrp.aborts, c.enrp.mcast = nil, nil, nil
		c.mu.Unlock()
		for _, m := range mcast {
			if _, err := r.enrp.announce.Write(m); err != nil {
				r.log.Debugf("ENRP announce: %v", err)
			}
		}
		for _, l := range aborts {
			l.a.Abort("ENRP peer timed out")
		}
		if len(homes) > 0 {
			r.wg.Go(func() { r.sendHomes(homes) })
		}
	}
}

// linkSender sends the messages queued on l, in order, until done. A
// message that cannot be sent within sendTimeout means the peer is stuck:
// the association is aborted, and the next one resynchronises.
func (r *Registrar) linkSender(l *link, done <-chan struct{}) {
	c := r.core
	for {
		select {
		case <-l.kick:
		case <-done:
			return
		case <-r.ctx.Done():
			return
		}
		c.mu.Lock()
		out := l.out
		l.out = nil
		c.mu.Unlock()
		var sent, bytes uint64
		var err error
		for _, msg := range out {
			ctx, cancel := context.WithTimeout(r.ctx, sendTimeout)
			err = l.a.SendMsg(ctx, msg, stack.SendInfo{PPID: wire.PPIDENRP})
			cancel()
			if err != nil {
				break
			}
			sent++
			bytes += uint64(len(msg))
		}
		c.mu.Lock()
		c.enrp.stats.Sent += sent
		c.enrp.stats.SentBytes += bytes
		c.enrp.stats.SendFails += uint64(len(out)) - sent
		c.mu.Unlock()
		if err != nil {
			l.a.Abort("ENRP send failed")
			return
		}
	}
}

// sendHomes dials each element to claim and sends it an Endpoint
// Keep-Alive with the Home flag over an association that then serves as
// its ASAP session: its Ack, or its re-registration, arrives there.
// Elements on one endpoint share one association.
func (r *Registrar) sendHomes(homes []homeClaim) {
	byRemote := map[string][]homeClaim{}
	for _, h := range homes {
		k := fmt.Sprint(h.to)
		byRemote[k] = append(byRemote[k], h)
	}
	for _, group := range byRemote {
		r.wg.Go(func() { r.sendHome(group) })
	}
}

func (r *Registrar) sendHome(group []homeClaim) {
	ctx, cancel := context.WithTimeout(r.ctx, r.cfg.KeepAliveTimeout)
	defer cancel()
	a, err := r.ep.Dial(ctx, group[0].to)
	if err != nil {
		// Among the failures: stack.ErrAssociated, when the element's
		// endpoint has an association here already, over which it
		// registers or did. It stays as it is: its session keeps it.
		r.log.Debugf("home keep-alive to %v: %v", group[0].to.Addrs, err)
		return
	}
	s := newSession(a)
	c := r.core
	c.mu.Lock()
	s.asap = wire.Transport{Type: wire.ParamSCTPTransport, Port: group[0].to.Port, Addrs: group[0].to.Addrs}
	for _, h := range group {
		if e := c.hs.Lookup(h.handle, uint32(h.id)); e != nil && wire.ServerID(e.Owner()) == c.cfg.ServerID && c.member(e) == nil {
			c.bind(e, s)
		}
	}
	c.stats.Sessions++
	c.stats.SessionsTotal++
	c.enrp.stats.HomeKeepAlives += uint64(len(group))
	c.mu.Unlock()
	r.run(s, c)
	for _, h := range group {
		ka := wire.EndpointKeepAlive{Home: true, ServerID: r.cfg.ServerID, Handle: h.handle, PEID: h.id}
		if a.SendMsg(ctx, wire.AppendASAP(nil, &ka), stack.SendInfo{PPID: wire.PPIDASAP}) != nil {
			return
		}
	}
}

// Peers returns the ENRP peer table (nil with ENRP off).
func (r *Registrar) Peers() []enrpsm.PeerInfo {
	c := r.core
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.enrp == nil {
		return nil
	}
	return c.enrp.m.Peers()
}

// ENRPStats returns the ENRP counters (zero with ENRP off).
func (r *Registrar) ENRPStats() ENRPStats {
	c := r.core
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.enrp == nil {
		return ENRPStats{}
	}
	s := c.enrp.stats
	s.Stats = c.enrp.m.Stats()
	s.Peers, s.Links = len(c.enrp.m.Peers()), len(c.enrp.all)
	return s
}

// ENRPPort returns the port of the ENRP endpoint, 0 with ENRP off.
func (r *Registrar) ENRPPort() uint16 {
	if r.enrp == nil {
		return 0
	}
	return r.enrp.ep.Port()
}
