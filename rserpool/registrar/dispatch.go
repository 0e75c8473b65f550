package registrar

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// handle answers one message received on s, putting the answers in s's
// outbox. peer holds the association's peer addresses for a Registration.
//
// ASAP (PPID 11) is what pool elements and users speak. ENRP (PPID 12) is
// served on the same port for one message only, the Handle Table Request
// that hsdump sends; RSPLIB aborts associations that mix the two, which is
// stricter than this registrar needs to be. Other payload protocols are
// counted and ignored.
func (c *core) handle(s *session, ppid uint32, msg []byte, peer []netip.Addr, now time.Time) {
	s.acquire()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch ppid {
	case wire.PPIDASAP:
		c.handleASAP(s, msg, peer, now)
	case wire.PPIDENRP:
		c.handleENRP(s, msg)
	default:
		c.stats.Ignored++
	}
}

// handleASAP answers an ASAP message.
func (c *core) handleASAP(s *session, msg []byte, peer []netip.Addr, now time.Time) {
	if len(msg) > 0 && wire.ASAPType(msg[0]) == wire.ASAPError {
		c.errorReceived(s, msg)
		return
	}
	m, err := wire.ParseASAP(msg)
	switch {
	case err != nil:
		c.malformed(s, asap, 0, msg, nil, err)
		return
	case !m.Type().Known():
		c.unrecognizedMessage(s, asap, 0, msg)
		return
	}
	reports, stop := unrecognizedParams(m)
	if !stop {
		if err := c.dispatchASAP(s, m, peer, now); err != nil {
			c.malformed(s, asap, 0, msg, m.Params(), err)
		}
	}
	if len(reports) > 0 {
		c.replyErrors(s, asap, 0, reports...)
	}
}

// dispatchASAP decodes m and acts on it; it returns the decoding error, if
// any.
func (c *core) dispatchASAP(s *session, m wire.ASAPMessage, peer []netip.Addr, now time.Time) error {
	d := &s.scratch
	switch m.Type() {
	case wire.ASAPRegistration:
		if err := m.Decode(&d.reg); err != nil {
			return err
		}
		c.register(s, &d.reg, peer, now)
	case wire.ASAPDeregistration:
		if err := m.Decode(&d.dereg); err != nil {
			return err
		}
		c.deregister(s, &d.dereg, now)
	case wire.ASAPHandleResolution:
		if err := m.Decode(&d.res); err != nil {
			return err
		}
		c.resolve(s, &d.res)
	case wire.ASAPEndpointKeepAliveAck:
		if err := m.Decode(&d.ack); err != nil {
			return err
		}
		c.keepAliveAck(s, &d.ack, now)
	case wire.ASAPEndpointUnreachable:
		if err := m.Decode(&d.unreach); err != nil {
			return err
		}
		c.unreachable(s, &d.unreach, now)
	default:
		// Responses, keep-alives, announces, cookies and business
		// cards are for pool elements and users, not registrars.
		c.stats.Ignored++
	}
	return nil
}

// errorReceived logs an ASAP Error message; it is never answered.
func (c *core) errorReceived(s *session, msg []byte) {
	c.stats.ErrorsReceived++
	m, err := wire.ParseASAP(msg)
	if err == nil {
		err = m.Decode(&s.scratch.errMsg)
	}
	if err != nil {
		c.log.Warnf("malformed ASAP Error from %v: %v", s.from, err)
		return
	}
	for _, cause := range s.scratch.errMsg.Error.Causes {
		c.log.Warnf("ASAP Error from %v: %v", s.from, cause.Code)
	}
}

// handleENRP answers the ENRP messages served on the ASAP port: Handle
// Table Request and List Request, which hsdump sends. Peering with other
// registrars has its own endpoint (enrp_link.go); other ENRP messages here
// are counted and ignored.
func (c *core) handleENRP(s *session, msg []byte) {
	if len(msg) > 0 && wire.ENRPType(msg[0]) == wire.ENRPError {
		c.stats.ErrorsReceived++
		return
	}
	m, err := wire.ParseENRP(msg)
	switch {
	case err != nil:
		c.malformed(s, enrp, 0, msg, nil, err)
	case !m.Type().Known():
		c.unrecognizedMessage(s, enrp, m.Sender(), msg)
	case m.Type() == wire.ENRPHandleTableRequest:
		if err := m.Decode(&s.scratch.htr); err != nil {
			c.malformed(s, enrp, m.Sender(), msg, m.Params(), err)
			return
		}
		c.handleTable(s, &s.scratch.htr)
	case m.Type() == wire.ENRPListRequest:
		c.listPeers(s, m, msg)
	default:
		c.stats.Ignored++
	}
}
