package mobility

import (
	"bytes"
	"context"
	"errors"
	"io"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The peer's handle travels in an ASAP Business Card (RFC 5352 section
// 2.2.11, payload protocol identifier 11) that a node with a handle sends
// on stream 0 right after the association is up. Stream 0 belongs to the
// node: each end reads it itself, so the card arrives whatever streams
// the application reads, and Accept returns without waiting for it. A
// pool user has no handle (RFC 5354 allows no empty one) and sends no
// card: its peer then cannot resolve it and waits for its ASCONF instead
// (the asymmetric setup).

// controlStream is the stream the node keeps for ASAP session control.
const controlStream = 0

// errControlStream refuses the application the node's stream.
var errControlStream = errors.New("mobility: stream 0 carries the node's session control")

func sendCard(ctx context.Context, a *stack.Association, handle wire.PoolHandle) error {
	b := wire.AppendASAP(nil, &wire.BusinessCard{Handle: handle})
	return a.SendMsg(ctx, b, stack.SendInfo{Stream: controlStream, PPID: wire.PPIDASAP})
}

// readCards reads the control stream until it ends and passes the handle
// of each Business Card to found. Anything else, malformed or not, is
// dropped: the stream is the node's.
func readCards(ctx context.Context, s io.Reader, found func(wire.PoolHandle)) {
	buf := make([]byte, 1<<16)
	for ctx.Err() == nil {
		n, err := s.Read(buf)
		if err != nil {
			return
		}
		m, err := wire.ParseASAP(buf[:n])
		if err != nil || m.Type() != wire.ASAPBusinessCard {
			continue
		}
		var card wire.BusinessCard
		if m.Decode(&card) == nil {
			found(bytes.Clone(card.Handle))
		}
	}
}
