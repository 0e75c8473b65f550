package registrar

import (
	"context"
	"errors"
	"fmt"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// FetchTable reads the handle table of the registrar at to, as a peer
// registrar would: it sends ENRP Handle Table Requests (RFC 5353, PPID 12)
// over an association to the registrar's ASAP port, as many as the
// responses' M flags ask for, and gathers the parts. ep provides the
// association; the request names a random server ID as its sender.
func FetchTable(ctx context.Context, ep *stack.Endpoint, to stack.Remote) (Table, error) {
	a, err := ep.Dial(ctx, to)
	if err != nil {
		return Table{}, err
	}
	defer a.Close()
	req := wire.AppendENRP(nil, &wire.HandleTableRequest{ENRPHeader: wire.ENRPHeader{Sender: wire.ServerID(randomUint32() | 1)}})
	var t Table
	pools := map[string]int{} // index in t.Pools
	buf := make([]byte, maxMessage+1)
	var resp wire.HandleTableResponse
	for {
		if err := a.SendMsg(ctx, req, stack.SendInfo{PPID: wire.PPIDENRP}); err != nil {
			return Table{}, err
		}
		if err := receiveTable(ctx, a, buf, &resp); err != nil {
			return Table{}, err
		}
		if resp.Reject {
			return Table{}, errors.New("registrar: the handle table request was refused")
		}
		t.Server = resp.Sender
		t.merge(resp.Entries, pools)
		if !resp.MoreToSend {
			return t, nil
		}
	}
}

// receiveTable waits for the next Handle Table Response on a, skipping
// other messages, and decodes it into resp. An ENRP Error is returned as
// an error.
func receiveTable(ctx context.Context, a *stack.Association, buf []byte, resp *wire.HandleTableResponse) error {
	for {
		n, info, err := a.RecvMsg(ctx, buf)
		switch {
		case err != nil:
			return err
		case !info.EOR:
			return errors.New("registrar: oversized answer to a handle table request")
		case info.PPID != wire.PPIDENRP:
			continue
		}
		m, err := wire.ParseENRP(buf[:n])
		if err != nil {
			return err
		}
		switch m.Type() {
		case wire.ENRPHandleTableResponse:
			return m.Decode(resp)
		case wire.ENRPError:
			var e wire.ENRPErrorMessage
			if err := m.Decode(&e); err != nil {
				return err
			}
			return fmt.Errorf("registrar: the registrar answered with an ENRP Error: %v", causeNames(e.Error.Causes))
		}
	}
}

// merge adds the entries of one Handle Table Response, whose decoded
// values it copies, to t; pools indexes t.Pools by handle, as a response
// may continue a pool the previous one began.
func (t *Table) merge(entries []wire.PoolEntry, pools map[string]int) {
	for _, en := range entries {
		h := string(en.Handle)
		i, ok := pools[h]
		if !ok && len(en.Elements) > 0 {
			i = len(t.Pools)
			pools[h] = i
			t.Pools = append(t.Pools, Pool{Handle: h, Policy: en.Elements[0].Policy.Type})
		}
		for _, pe := range en.Elements {
			pe.UserTransport = cloneTransport(pe.UserTransport)
			pe.ASAPTransport = cloneTransport(pe.ASAPTransport)
			t.Pools[i].Elements = append(t.Pools[i].Elements, Element{PoolElement: pe})
		}
	}
}

// causeNames lists the codes of causes for an error message.
func causeNames(causes []wire.Cause) []string {
	names := make([]string, len(causes))
	for i, c := range causes {
		names[i] = c.Code.String()
	}
	return names
}
