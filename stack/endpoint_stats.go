package stack

// EndpointStats are the endpoint's counters of packets that reached no
// association, or were refused before one existed.
type EndpointStats struct {
	PacketsIn      uint64 // every datagram received
	BadChecksum    uint64 // CRC32c did not match
	Runts          uint64 // malformed common header or first chunk
	WrongPort      uint64 // for another SCTP port
	OutOfTheBlue   uint64 // belonged to no association (RFC 9260 section 8.4)
	OOTBAborts     uint64 // ABORTs sent in answer, within the rate limit
	LateAfterClose uint64 // of those, sent to an association that had just closed gracefully: dropped, not answered
	InitsAnswered  uint64 // INIT ACKs sent with a cookie
	CookiesBad     uint64 // COOKIE ECHOs whose cookie did not verify
	CookiesStale   uint64 // past their lifetime
	CookiesForeign uint64 // signed cookies echoed from another address, port or tag (section 5.1.5)

	AssociationsRefused uint64 // INITs and COOKIE ECHOs refused at Config.MaxAssociations
	HeartbeatsThrottled uint64 // probes of unconfirmed addresses delayed by Config.UnconfirmedHeartbeatRate
	PeerAddrsIgnored    uint64 // peer addresses beyond Config.MaxPeerAddrs
	// PacketTooBigIgnored counts ICMP Packet Too Big reports that named
	// no association: a quoted packet that is not ours (forged, or cut
	// too short to tell), or a destination no association has.
	PacketTooBigIgnored uint64

	Sends    uint64 // SendBatch calls carrying the associations' packets
	Packets  uint64 // packets in them
	Gathered uint64 // of those, packets another association's flush sent along with its own
}

// Stats returns a snapshot of the endpoint's counters.
func (ep *Endpoint) Stats() EndpointStats {
	c := &ep.stats
	return EndpointStats{
		PacketsIn:      c.packetsIn.Load(),
		BadChecksum:    c.badChecksum.Load(),
		Runts:          c.runts.Load(),
		WrongPort:      c.wrongPort.Load(),
		OutOfTheBlue:   c.ootb.Load(),
		OOTBAborts:     c.ootbAborts.Load(),
		LateAfterClose: c.lateAfterClose.Load(),
		InitsAnswered:  c.initsAnswered.Load(),
		CookiesBad:     c.cookiesBad.Load(),
		CookiesStale:   c.cookiesStale.Load(),
		CookiesForeign: c.cookiesForeign.Load(),

		AssociationsRefused: c.assocsRefused.Load(),
		HeartbeatsThrottled: c.hbThrottled.Load(),
		PeerAddrsIgnored:    c.peerAddrsIgnored.Load(),
		PacketTooBigIgnored: c.ptbIgnored.Load(),

		Sends:    ep.out.sends.Load(),
		Packets:  ep.out.packets.Load(),
		Gathered: ep.out.gathered.Load(),
	}
}
