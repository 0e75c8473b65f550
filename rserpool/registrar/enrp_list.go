package registrar

import (
	"context"
	"errors"
	"slices"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// listPeers answers an ENRP List Request (RFC 5353 section 3.4) with the
// peer table: each peer's server ID and, when its Presences said, where it
// listens for ENRP. hsdump asks for it on the ASAP port, as for the handle
// table. With ENRP off the list is empty.
func (c *core) listPeers(s *session, m wire.ENRPMessage, msg []byte) {
	var req wire.ListRequest
	if err := m.Decode(&req); err != nil {
		c.malformed(s, enrp, m.Sender(), msg, m.Params(), err)
		return
	}
	resp := wire.ListResponse{ENRPHeader: wire.ENRPHeader{Sender: c.cfg.ServerID, Receiver: req.Sender}}
	if c.enrp != nil {
		for _, p := range c.enrp.m.Peers() {
			info := p.Server
			info.ID = p.ID
			resp.Servers = append(resp.Servers, info)
		}
	}
	s.out.buf = wire.AppendENRP(s.out.buf, &resp)
	s.out.mark(wire.PPIDENRP)
}

// FetchPeers reads the peer table of the registrar at to with an ENRP List
// Request over an association to its ASAP port, as hsdump does.
func FetchPeers(ctx context.Context, ep *stack.Endpoint, to stack.Remote) ([]wire.ServerInfo, error) {
	a, err := ep.Dial(ctx, to)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	req := wire.AppendENRP(nil, &wire.ListRequest{ENRPHeader: wire.ENRPHeader{Sender: wire.ServerID(randomUint32() | 1)}})
	if err := a.SendMsg(ctx, req, stack.SendInfo{PPID: wire.PPIDENRP}); err != nil {
		return nil, err
	}
	buf := make([]byte, maxMessage+1)
	for {
		n, info, err := a.RecvMsg(ctx, buf)
		switch {
		case err != nil:
			return nil, err
		case !info.EOR:
			return nil, errors.New("registrar: oversized answer to a list request")
		case info.PPID != wire.PPIDENRP:
			continue
		}
		m, err := wire.ParseENRP(buf[:n])
		if err != nil {
			return nil, err
		}
		if m.Type() != wire.ENRPListResponse {
			continue
		}
		var resp wire.ListResponse
		if err := m.Decode(&resp); err != nil {
			return nil, err
		}
		if resp.Reject {
			return nil, errors.New("registrar: the list request was refused")
		}
		out := slices.Clone(resp.Servers)
		for i := range out {
			out[i].Transport = cloneTransport(out[i].Transport)
		}
		return out, nil
	}
}
