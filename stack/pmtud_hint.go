package stack

import (
	"encoding/binary"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// ICMP Packet Too Big messages as hints to the MTU search (RFC 8899
// section 4.6). The transport reports them (Linux: the socket error
// queue); the endpoint checks that the packet a router quotes is one of
// ours, of an association it knows, and hands the size to that path's
// search, which probes it: a hint never changes a path's MTU by itself.
// The host's own refusal of a packet over the interface's MTU comes the
// same way, without a quote, and is believed: it does not cross the
// network.

// packetTooBig is the transport's Config.PacketTooBig, called on a
// reader's or a sender's goroutine.
func (ep *Endpoint) packetTooBig(r encap.PacketTooBig) {
	dst := r.Remote.Addr().Unmap()
	var targets []*Association
	if r.Router.IsValid() || len(r.Quote) > 0 {
		if a := ep.quotedAssociation(dst, r.Quote); a != nil {
			targets = append(targets, a)
		}
	} else {
		targets = ep.associationsTo(dst)
	}
	if len(targets) == 0 {
		ep.stats.ptbIgnored.Add(1)
		return
	}
	for _, a := range targets {
		a.post(func(now time.Time) { a.pmtuHint(now, dst, r.Size) })
	}
}

// quotedAssociation returns the association that sent the SCTP packet a
// router quoted, whose start is quote, to dst: our port, the peer's
// port at dst, and the peer's verification tag, which an attacker off
// the path does not know (as kernel SCTP checks, RFC 9260 appendix C).
// A quote too short to hold the common header cannot be checked: a
// router that quotes only the 8 bytes RFC 792 requires gives no hint.
func (ep *Endpoint) quotedAssociation(dst netip.Addr, quote []byte) *Association {
	if len(quote) < wire.CommonHeaderLen {
		return nil
	}
	src, dport := binary.BigEndian.Uint16(quote), binary.BigEndian.Uint16(quote[2:])
	tag := binary.BigEndian.Uint32(quote[4:])
	if src != ep.Port() || tag == 0 {
		return nil // not ours, or an INIT: no association yet
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	a := ep.byPeer[peerKey{dst, dport}]
	if a == nil || a.routePeerTag != tag {
		return nil
	}
	return a
}

// associationsTo returns the associations with a peer address dst.
func (ep *Endpoint) associationsTo(dst netip.Addr) []*Association {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	var as []*Association
	for k, a := range ep.byPeer {
		if k.addr == dst {
			as = append(as, a)
		}
	}
	return as
}

// post queues f for the loop without waiting for it.
func (a *Association) post(f func(now time.Time)) {
	a.in.mu.Lock()
	a.in.cmds = append(a.in.cmds, f)
	a.in.mu.Unlock()
	a.signal()
}

// pmtuHint hands a Packet Too Big size (SCTP packet bytes) for the path
// to remote to its search; the loop sends the probe it asks for in the
// same pass.
func (a *Association) pmtuHint(now time.Time, remote netip.Addr, size int) {
	p := a.pathTo(remote)
	if p == nil {
		return // the path went away since
	}
	if p.pmtu == nil || !a.pmtuActive(p) || !p.pmtu.PacketTooBig(now, size) {
		p.stats.PMTUHintsIgnored++
		return
	}
	p.stats.PMTUHints++
	a.log.Debugf("path to %v: Packet Too Big %d, MTU %d (%s)", p.remote, size, p.mtu, p.pmtu.State())
	a.followPMTU(p)
}
