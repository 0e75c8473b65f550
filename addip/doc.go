// Package addip implements the procedures of RFC 5061, SCTP Dynamic
// Address Reconfiguration, as pure state machines for the association's
// event loop: no I/O, no goroutines, no clock (time comes in as now).
//
// A [Sender] carries our requests to the peer. It numbers ASCONF chunks
// from our initial TSN (section 5.1 A2), keeps one in flight (A3, section
// 5.1.1 C1) and bundles what was queued meanwhile into the next one within
// the caller's size budget. It runs T4-RTO and asks the loop where to
// resend (B1-B5); [Sender.Resend] sends the one in flight again early with
// the queued requests in a successor bundled behind it (B4, C2). It turns
// each ASCONF-ACK into one [Result] per request,
// implicit ones included (section 5.1). An ASCONF-ACK for a serial number
// never sent is [ErrIllegalAck] (section 5.3 F0).
//
// A [Receiver] answers the peer's ASCONFs: it checks the serial number
// against the peer's initial TSN (section 5.2 E1-E5), applies each request
// in order through the [Peer] interface the association implements, and
// builds, caches and replays the ASCONF-ACK.
//
// [Available], [ExtensionTypes] and the Adaptation Layer Indication
// helpers belong to INIT and INIT ACK.
//
// Both chunks travel behind an AUTH chunk; the loop discards them when
// they arrive unauthenticated, before calling this package.
//
// How the loop drives it:
//
//	tx, rx := addip.NewSender(ourInitialTSN), addip.NewReceiver(peerInitialTSN)
//
//	// The application adds an address; the result comes with the ACK.
//	id, err := tx.Queue(addip.AddIP, newAddr)
//
//	// Building a packet: at most one ASCONF is in flight.
//	c, err := tx.Next(now, ourAddr, budget, addip.Path{Dest: primary, RTO: rto})
//	// c != nil: send AUTH + c to primary. Arm the timer at tx.Deadline().
//
//	// A new local address appeared with an ASCONF outstanding: resend it
//	// now from there, the queued requests bundled behind it in an ASCONF
//	// with the next serial (section 5.1 B4).
//	cs, fresh, err := tx.Resend(now, known, budget, addip.Path{Dest: dest, RTO: rto})
//
//	// The timer fired: resend the same chunk elsewhere.
//	r, ok := tx.Expire(now, func(failed netip.Addr) addip.Path {
//		// count errors for failed and the association, double its RTO
//		return addip.Path{Dest: alternate, RTO: alternateRTO}
//	})
//
//	// An authenticated ASCONF-ACK arrived.
//	acked, ok, err := tx.HandleAck(&ack)
//	// err: ABORT with wire.CauseIllegalAsconfAck. ok: clear the error
//	// counters of acked.Dest and the association, act on acked.Results,
//	// then call Next again for what was queued meanwhile.
//
//	// An authenticated ASCONF arrived from src.
//	b, verdict := rx.Handle(&asconf, addip.Packet{Source: src, First: first}, assoc)
//	// b != nil: bundle AUTH + b into the reply to src.
package addip
