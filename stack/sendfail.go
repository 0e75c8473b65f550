package stack

import (
	"errors"
	"net/netip"
	"syscall"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

// Sends the OS refuses. A send that fails at once with "network
// unreachable", "host unreachable" or "address not available" (or that a
// local firewall rule drops, EPERM) says more than a timeout ever will:
// the path cannot work now. It counts as a path error at once, at most
// once per RTO per path, so that a burst of refused packets is one event,
// not an instant abort.

// refusedSend is one datagram the OS would not send.
type refusedSend struct {
	local  netip.Addr
	remote netip.AddrPort
	err    error
}

// maxRefusals bounds the refusals one flush remembers.
const maxRefusals = 8

// collectRefusals appends the refusals in err, a SendBatch result (one
// error or several joined), to rs.
func collectRefusals(rs []refusedSend, err error) []refusedSend {
	switch e := err.(type) {
	case interface{ Unwrap() []error }:
		for _, x := range e.Unwrap() {
			rs = collectRefusals(rs, x)
		}
	case *encap.SendError:
		if len(rs) < maxRefusals && refusedByOS(e.Err) {
			rs = append(rs, refusedSend{local: e.Local.Addr().Unmap(), remote: e.Remote, err: e.Err})
		}
	}
	return rs
}

// refusedByOS reports whether err means the OS cannot send on that path
// now, as opposed to a transient failure such as a full buffer.
func refusedByOS(err error) bool {
	for _, e := range []error{syscall.ENETUNREACH, syscall.EHOSTUNREACH, syscall.EADDRNOTAVAIL, syscall.EPERM} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// sendsRefused turns the refusals of a flush into path errors. A refused
// source probe (another local address tried for a failing path) counts
// against nothing: the path's own source is what failed.
func (a *Association) sendsRefused(now time.Time, rs []refusedSend) {
	for _, r := range rs {
		a.dial.refused(r.err)
		p := a.pathTo(r.remote.Addr().Unmap())
		if p == nil || r.local != p.local || a.state < stateEstablished || a.state == stateClosed {
			continue // the handshake counts its own retransmissions
		}
		if !p.refusedAt.IsZero() && now.Sub(p.refusedAt) < p.rto.rto {
			continue
		}
		p.refusedAt = now
		a.stats.SendsRefused++
		a.log.Debugf("path %v from %v: send refused: %v", p.remote, p.local, r.err)
		a.pathError(now, p)
		if a.state == stateClosed {
			return
		}
		a.resendElsewhere(p)
	}
}

// resendElsewhere marks the chunks outstanding on p, which never left, for
// retransmission on another path, as a T3 expiry would but without its
// window cut: a refusal says nothing about congestion. The loop runs
// again at once to send them.
func (a *Association) resendElsewhere(p *path) {
	s := &a.tx
	for tsn := s.cumAck + 1; s.ring.len() > 0 && tsn != s.nextTSN; tsn++ {
		c := s.ring.at(tsn)
		if c == nil || c.path != p || c.state != chunkOutstanding {
			continue
		}
		a.removeFromFlight(c)
		s.setState(c, chunkMarked)
		c.misses = 0
		c.timedOut = true // rtxPath then picks another active path
	}
	p.t3 = time.Time{}
	a.signal()
}
