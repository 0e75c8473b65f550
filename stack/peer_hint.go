package stack

import (
	"net/netip"
	"time"
)

// A peer address learned outside the association (an RSerPool
// resolution after the peer moved) is a hint, not a proof: it becomes an
// unconfirmed path that gets our ASCONFs, and heartbeats and data only
// after the peer answered an ASCONF sent there, behind AUTH.

// AddPeerAddr adds an address of the peer learned outside the association
// (an RSerPool resolution after the peer moved, say) as an unconfirmed
// path, which carries no data before a heartbeat confirms it (RFC 9260
// section 5.4): a wrong or forged hint costs a heartbeat, not data. Our
// ASCONFs go there from now on until one is acknowledged, and the one in
// flight goes there at once. After both ends moved this is how the peer
// learns our new address: it finds the association by the verification
// tag and the ASCONF's Address Parameter, an address it knows for us, and
// accepts the ASCONF from an unknown source only behind a valid AUTH
// chunk. A zero port means the peer's current UDP port.
func (a *Association) AddPeerAddr(addr netip.AddrPort) error {
	err := ErrClosed
	a.exec(func(now time.Time) { err = a.addPeerAddr(now, addr) })
	return err
}

func (a *Association) addPeerAddr(now time.Time, addr netip.AddrPort) error {
	if a.primary == nil {
		return ErrClosed
	}
	if addr.Port() == 0 {
		addr = netip.AddrPortFrom(addr.Addr(), a.primary.remote.Port())
	}
	addr = netip.AddrPortFrom(addr.Addr().Unmap(), addr.Port())
	p := a.pathTo(addr.Addr())
	if p == nil {
		var err error
		if p, err = a.addPeerPath(now, addr, a.primary.remote.Addr().Unmap()); err != nil {
			return err
		}
		if a.asconfAvailable() {
			// No heartbeat yet: anyone at a forged address could echo
			// it. The path is probed once the peer acknowledged, behind
			// AUTH, an ASCONF sent there (targetReached).
			p.hbDue = time.Time{}
		}
	}
	if a.asconfAvailable() {
		a.addip.target = p
		a.resendVia(now, p, netip.Addr{})
	}
	return nil
}

// targetReached runs when an ASCONF-ACK arrived for an ASCONF last sent
// to dest: the ASCONFs no longer need to go to the AddPeerAddr address.
// If they went there, the authenticated answer shows that the peer is
// there, and the path (which the peer could not answer before it knew our
// new address) is probed at once.
func (a *Association) targetReached(now time.Time, dest netip.Addr) {
	p := a.addip.target
	if p == nil {
		return
	}
	a.addip.target = nil
	if p.remote.Addr() == dest && p.state != PathActive && a.cfg.HeartbeatInterval >= 0 {
		p.hbPending = false
		p.hbDue = now
	}
}
