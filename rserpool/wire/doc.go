// Package wire encodes and decodes the messages of Reliable Server Pooling:
// ASAP (RFC 5352), spoken between pool elements, pool users and registrars,
// and ENRP (RFC 5353), spoken between registrars, with the parameters of
// RFC 5354 and the policies of RFC 5356. It also knows the Handle
// Resolution Option (draft-dreibholz-rserpool-asap-hropt), the takeover
// suggestion flag (draft-dreibholz-rserpool-enrp-takeover) and the
// delay-sensitive policies (draft-dreibholz-rserpool-delay).
//
// Reading starts with a view: ParseASAP or ParseENRP checks the header of
// a message and returns it as an ASAPMessage or ENRPMessage, whose Type
// tells which struct to decode it into. Decoded fields alias the message,
// and decoding into a value used before reuses its slices, so a receive
// loop allocates nothing. Writing appends to a caller's buffer:
// AppendASAP and AppendENRP lay out a message struct, ASAPLen and ENRPLen
// tell its size first.
//
// A pool element registers:
//
//	reg := &wire.Registration{
//		Handle: wire.PoolHandle("echo"),
//		Element: wire.PoolElement{
//			ID:      0x2a,
//			RegLife: 30000,
//			UserTransport: wire.Transport{
//				Type:  wire.ParamSCTPTransport,
//				Port:  7,
//				Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.1")},
//			},
//			Policy: wire.Policy{Type: wire.PolicyLeastUsed, Load: 0x40000000},
//		},
//	}
//	buf = wire.AppendASAP(buf[:0], reg)
//
// and its registrar reads:
//
//	m, err := wire.ParseASAP(buf)
//	if err != nil { ... }
//	switch m.Type() {
//	case wire.ASAPRegistration:
//		var r wire.Registration
//		if err := m.Decode(&r); err != nil { ... }
//		// r.Handle, r.Element.ID, r.Element.UserTransport.Addrs ...
//	}
//
// Every decoding error is a *ParseError that names the field at fault,
// including a mandatory parameter that is missing, and its offset from the
// start of the message; all of them match ErrMalformed. Parameters of
// types this package does not know are skipped by the decoders and
// returned by Unrecognized, so that the caller can act on their action
// bits.
//
// # RSPLIB
//
// RSPLIB, the reference implementation, differs from the RFCs in a few
// places. Decoders accept its forms and encoders write the RFC's:
//
//   - Priority Least Used policies without RFC 5356's load increment.
//   - An Endpoint Keep-Alive carrying a PE Identifier parameter (written
//     only when EndpointKeepAlive.PEID is set).
//   - Its own policies, 0xb0001001 to 0xb0001004, are known too.
//
// Encoders also stay within what RSPLIB accepts: lengths count all padding,
// which RSPLIB needs to find in the buffer, and the takeover suggestion goes
// on Handle Update, where RSPLIB and Wireshark expect it.
package wire
