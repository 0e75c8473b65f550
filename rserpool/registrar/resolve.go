package registrar

import (
	"encoding/binary"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// resolve answers a Handle Resolution (RFC 5352) with up to the number of
// elements the Handle Resolution Option asks for
// (draft-dreibholz-rserpool-asap-hropt), chosen by the pool's policy.
//
// As in RSPLIB, the response carries a Pool Member Selection Policy
// parameter, the first element's (RSPLIB's pool users reject a response
// without one), and a pool that does not exist is answered with an Unknown
// Pool Handle cause. The A flag stays clear: this registrar does not push
// pool updates to pool users.
func (c *core) resolve(s *session, req *wire.HandleResolution) {
	c.stats.Resolutions++
	d := &s.scratch
	d.sel = c.hs.Select(req.Handle, c.items(req.Items), d.sel[:0])
	resp := &d.resp
	resp.Handle = req.Handle
	resp.Policy = wire.Policy{}
	resp.Elements = resp.Elements[:0]
	resp.Error.Causes = resp.Error.Causes[:0]
	if c.hs.Pool(req.Handle) == nil {
		c.stats.ResolutionsUnknown++
		resp.Error.Causes = append(resp.Error.Causes, wire.Cause{Code: wire.CauseUnknownPoolHandle})
	}
	room := maxMessage - wire.ASAPLen(resp) - maxPolicyParam
	if len(req.Handle) > c.cfg.MaxHandleLen || room < 0 { // no pool has it, or echoing it leaves no room
		c.replyErrors(s, asap, 0, invalidHandle(req.Handle, min(c.cfg.MaxHandleLen, maxQuoted)))
		return
	}
	for _, cause := range resp.Error.Causes {
		c.stats.causeSent(cause.Code)
	}
	if len(d.sel) > 0 {
		resp.Policy = d.sel[0].Policy()
	}
	start := len(s.out.buf)
	s.out.buf = wire.AppendASAP(s.out.buf, resp)
	s.out.buf = c.appendElements(s.out.buf, start, room, d)
	s.out.mark(wire.PPIDASAP)
}

// appendElements appends the Pool Element parameters of d.sel, as many as
// room bytes take, to the response that starts at start in b and ends b
// (the elements come last: a response with elements has no error
// causes), and sets its length.
func (c *core) appendElements(b []byte, start, room int, d *scratch) []byte {
	for _, e := range d.sel {
		p := c.elements.param(e, &d.pe)
		if room -= len(p); room < 0 {
			break
		}
		b = append(b, p...)
	}
	binary.BigEndian.PutUint16(b[start+2:], uint16(len(b)-start))
	return b
}

// maxPolicyParam is the size of the largest policy parameter, with a policy
// type and four values (Least Used with Degradation and DPF).
const maxPolicyParam = wire.ParamHeaderLen + 4 + 4*4

// items returns how many elements a resolution with option n returns.
func (c *core) items(n wire.ResolutionItems) int {
	if n == 0 {
		return c.cfg.ResolutionItems
	}
	return int(min(uint64(n), uint64(c.cfg.MaxResolutionItems)))
}
