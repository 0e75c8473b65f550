package stack

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// Remote names a peer endpoint to dial.
type Remote struct {
	Addrs   []netip.Addr // the peer's addresses; the first is tried first
	Port    uint16       // its SCTP port
	UDPPort int          // its UDP encapsulation port; 0 means 9899
	// Retrying, if set, is called when an INIT goes unanswered and is
	// sent again, with the address it goes to next and how many went
	// out: for progress reports. It runs on the association's loop and
	// must not block.
	Retrying func(to netip.AddrPort, sent int)
}

// Dial sets up an association with r and waits until it is established,
// ctx is done or the handshake times out.
func (ep *Endpoint) Dial(ctx context.Context, r Remote) (*Association, error) {
	if len(r.Addrs) == 0 || r.Port == 0 {
		return nil, errors.New("sctp: Dial needs a peer address and SCTP port")
	}
	udp := r.UDPPort
	if udp == 0 {
		udp = DefaultUDPPort
	}
	remotes := make([]netip.AddrPort, len(r.Addrs))
	for i, addr := range r.Addrs {
		remotes[i] = netip.AddrPortFrom(addr.Unmap(), uint16(udp))
	}
	a := newAssociation(ep)
	a.peerPort = r.Port
	a.localTag = ep.newTag()
	a.dial.retrying = r.Retrying
	start := time.Now()
	a.startDial(start, remotes)
	if err := ep.register(a, a.localTag, a.peerAddrs()); err != nil {
		return nil, err
	}
	ep.start(a)
	select {
	case <-a.up:
		if err := a.Err(); err != nil {
			return nil, a.dialError(remotes, start, err)
		}
		return a, nil
	case <-ctx.Done():
		a.Abort("dial canceled")
		return nil, a.dialError(remotes, start, ctx.Err())
	}
}
