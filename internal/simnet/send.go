package simnet

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"syscall"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

// An offer is a datagram a sender hands to the network.
type offer struct {
	src, dst netip.AddrPort
	data     []byte
}

// Send sends one datagram, as SendBatch does.
func (c *Conn) Send(d encap.Datagram) error { return c.send(&d) }

// SendBatch sends ds in order, copying their data; it never blocks for long.
// As with encap, a datagram leaves from its Local address if the Conn has
// bound it and it is of Remote's family, otherwise from the first bound
// address of that family; the port of Local does not matter. One that
// cannot be sent is skipped and the others are still sent; SendBatch returns
// the first failure. As with UDP, datagrams the network drops are not
// failures.
func (c *Conn) SendBatch(ds []encap.Datagram) error {
	var first error
	for i := range ds {
		if err := c.send(&ds[i]); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (c *Conn) send(d *encap.Datagram) error {
	o, err := c.check(d)
	if err != nil {
		return err
	}
	n := c.host.net
	return n.transmit(o, !n.passes(o))
}

// check checks that d can be sent and returns it with its source.
func (c *Conn) check(d *encap.Datagram) (offer, error) {
	dst := netip.AddrPortFrom(d.Remote.Addr().Unmap(), d.Remote.Port())
	n := c.host.net
	n.mu.Lock()
	defer n.mu.Unlock()
	if c.closed {
		return offer{}, net.ErrClosed
	}
	src := c.sourceLocked(d.Local.Addr().Unmap(), dst.Addr())
	switch {
	case !src.IsValid():
		return offer{}, fmt.Errorf("simnet: send from %v to %v: %w", d.Local.Addr(), d.Remote, encap.ErrNoSocket)
	case n.owners[src] != c.host:
		// Bound, but the host lost the address: the kernel refuses.
		return offer{}, fmt.Errorf("simnet: send from %v on host %s: %w", src, c.host.name, syscall.EADDRNOTAVAIL)
	}
	data := d.Data
	if len(d.Rest) > 0 {
		data = d.AppendTo(nil) // the network copies it anyway; filters and taps see it whole
	}
	return offer{src: netip.AddrPortFrom(src, uint16(c.port)), dst: dst, data: data}, nil
}

// sourceLocked picks the address a datagram leaves from, as encap picks a
// socket: local if it is bound and of remote's family, otherwise the first
// bound address of that family, otherwise the zero Addr.
func (c *Conn) sourceLocked(local, remote netip.Addr) netip.Addr {
	if !remote.IsValid() {
		return netip.Addr{}
	}
	var first netip.Addr
	for _, a := range c.addrs {
		switch {
		case a.Is4() != remote.Is4():
		case a == local:
			return a
		case !first.IsValid():
			first = a
		}
	}
	return first
}

// transmit offers o to its link at the current time. The tap learns at once
// of a datagram dropped on the sender's side, and of the others when they
// arrive.
func (n *Network) transmit(o offer, filtered bool) error {
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return net.ErrClosed
	}
	now := n.now()
	fate, dropped := n.admitLocked(now, o, filtered)
	n.mu.Unlock()
	if dropped {
		n.tap.report(n.epoch.Add(now), o, fate)
	}
	return nil
}

// admitLocked applies the link's behaviour to o, in the order of a real path
// (the filter stands for a middlebox at the sender): a broken link, the
// queue in front of the transmitter, loss on the wire, duplication. It
// schedules the copies that survive, or returns why none does.
func (n *Network) admitLocked(now time.Duration, o offer, filtered bool) (drop Fate, dropped bool) {
	l := n.linkLocked(Link{o.src.Addr(), o.dst.Addr()})
	p := n.propsLocked(l)
	l.stats.Sent++
	if filtered {
		return l.drop(Filtered)
	}
	if p.Down {
		return l.drop(LinkDown)
	}
	depart, ok := l.depart(now, len(o.data), p)
	if !ok {
		return l.drop(QueueFull)
	}
	r := n.randLocked(flow{o.src, o.dst})
	if chance(r, p.Loss) {
		return l.drop(Lost)
	}
	n.scheduleLocked(now, depart+l.latency(p, r), o, l)
	if chance(r, p.Duplicate) {
		l.stats.Duplicated++
		n.scheduleLocked(now, depart+l.latency(p, r), o, l)
	}
	return 0, false
}

// drop counts a datagram dropped for reason f, for admitLocked to return.
func (l *link) drop(f Fate) (Fate, bool) {
	l.stats.count(f)
	return f, true
}

// latency draws the propagation time of one copy: the delay, uniform
// jitter, and the reordering delay for the copies picked to be held back.
func (l *link) latency(p *LinkProps, r *rand.Rand) time.Duration {
	d := p.Delay
	if p.Jitter > 0 {
		d += time.Duration(r.Int64N(int64(p.Jitter)))
	}
	if chance(r, p.Reorder) {
		l.stats.Reordered++
		d += p.ReorderDelay
	}
	return d
}
