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
	a.startDial(time.Now(), remotes)
	if err := ep.register(a, a.localTag, a.peerAddrs()); err != nil {
		return nil, err
	}
	ep.start(a)
	select {
	case <-a.up:
		if err := a.Err(); err != nil {
			return nil, err
		}
		return a, nil
	case <-ctx.Done():
		a.Abort("dial canceled")
		return nil, ctx.Err()
	}
}
