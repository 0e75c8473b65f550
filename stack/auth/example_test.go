package auth_test

import (
	"fmt"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// receive is the receive side of an association's chunk loop, reduced to
// AUTH: it returns the types of the chunks it would process and the
// outcome of the first AUTH chunk.
func receive(s *auth.Session, pkt wire.Packet) (accepted []wire.ChunkType, res auth.Result) {
	authed := false
	it := pkt.Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		if c.Type() == wire.TypeAuth && !authed {
			res = s.Verify(pkt[it.Offset():])
			if res != auth.Verified {
				// Drop the rest of the packet; on UnsupportedHMAC also
				// send an ERROR with a wire.UnsupportedHMACCause.
				return accepted, res
			}
			authed = true
			continue
		}
		if !authed && s.RecvNeedsAuth(c.Type()) {
			continue // silently discarded (RFC 4895 section 6.3)
		}
		accepted = append(accepted, c.Type())
	}
	return accepted, res
}

// Example shows an association signing a packet that carries an ASCONF
// chunk and its peer receiving it.
func Example() {
	keys := auth.NewKeyring() // the endpoint's
	ours, theirs := auth.NewParams(nil), auth.NewParams(nil)
	// ours.AppendTo and theirs.AppendTo went into INIT and INIT ACK.
	sender := auth.NewSession(ours, theirs, keys)
	receiver := auth.NewSession(theirs, ours, keys)

	pkt := wire.Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}.Append(nil)
	pkt = (&wire.Sack{CumTSN: 1}).Append(pkt)
	var at int
	if sender.SendNeedsAuth(wire.TypeAsconfAck) {
		at = len(pkt)
		pkt = sender.AppendAuth(pkt)
	}
	pkt = (&wire.AsconfAck{Serial: 1}).Append(pkt)
	if err := sender.Sign(pkt[at:]); err != nil {
		panic(err)
	}
	wire.SetChecksum(pkt)

	fmt.Println(receive(receiver, pkt))
	pkt[len(pkt)-1] ^= 1 // tamper with the ASCONF-ACK
	fmt.Println(receive(receiver, pkt))
	// Output:
	// [SACK ASCONF-ACK] verified
	// [SACK] bad HMAC
}
