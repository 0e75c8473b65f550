package registrar

import (
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// The resource limits keep one peer from taking what the registrar has for
// everyone: a registration that would exceed one is refused with Lack of
// Resources (RFC 5352) and counted by limit in Stats.Refused, and the
// registrar goes on serving the others. MaxElementsPerAssoc also bounds the
// Endpoint Keep-Alives sent down one association per interval.

// overLimit reports the cause refusing a registration that adds an element
// of pool handle to session s, if a limit forbids it, and counts it.
func (c *core) overLimit(s *session, handle []byte) (wire.Cause, bool) {
	r := &c.stats.Refused
	var n *uint64
	switch {
	case c.hs.Len() >= c.cfg.MaxElements:
		n = &r.Elements
	case c.hs.Pool(handle) == nil && c.hs.PoolCount() >= c.cfg.MaxPools:
		n = &r.Pools
	case len(s.members) >= c.cfg.MaxElementsPerAssoc:
		n = &r.ElementsPerAssoc
	case c.perAddr[s.peerAddr()] >= c.cfg.MaxElementsPerAddr:
		n = &r.ElementsPerAddr
	default:
		return wire.Cause{}, false
	}
	*n++
	return wire.Cause{Code: wire.CauseLackOfResources}, true
}

// admitSession counts a new ASAP association, or reports false if there
// are MaxSessions already.
func (c *core) admitSession() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stats.Sessions >= c.cfg.MaxSessions {
		c.stats.Refused.Sessions++
		return false
	}
	c.stats.Sessions++
	c.stats.SessionsTotal++
	return true
}
