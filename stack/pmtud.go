package stack

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/internal/plpmtud"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Packetization Layer Path MTU Discovery for SCTP over UDP (RFC 8899
// section 10.2). Each usable path runs a plpmtud.Search: a probe is a
// HEARTBEAT padded with a PAD chunk (RFC 4820) to the probed size, alone
// in its packet, and its HEARTBEAT ACK confirms the size. A lost probe is
// only a bound for the search: it is not a path error and touches neither
// cwnd, nor RTO, nor any DATA. Packets to a path are sized by the
// search's PMTU; DATA chunks are cut so that they fit the base size (see
// fragSizes).

// BASE_PLPMTU: RFC 8899 section 5.1.2 suggests 1200 bytes of UDP payload
// for IPv6; IPv4 gets the same IP packet size (1248 bytes), its header
// being 20 bytes shorter.
const (
	baseMTU6 = 1200
	baseMTU4 = baseMTU6 + ipv6Overhead - ipv4Overhead
)

// probeInfoLen is the length of a probe's heartbeat information: that of
// a heartbeat, plus the probed size. The length tells the two apart.
const probeInfoLen = hbInfoLen + 4

// baseMTU is the SCTP packet size every path of p's family is assumed to
// carry until probes confirm more.
func (p *path) baseMTU() int {
	if a := p.remote.Addr(); a.Is6() && !a.Is4In6() {
		return baseMTU6
	}
	return baseMTU4
}

// chunkRoom returns the room for DATA chunks in a packet of the paths'
// MTU (the smallest of the usable paths, since a retransmission may go to
// any of them) and the largest a chunk may be.
//
// With the search on, a chunk must fit a packet of the base size: its TSN
// is fixed once it is sent, so a chunk cut for a larger PMTU could not
// shrink when that PMTU turns out to be a black hole, and with Don't
// Fragment on every datagram it would never get through again. Sending
// such chunks without DF instead (per datagram, or through a second
// socket) would rely on IP fragmentation exactly where a network drops
// ICMP, and often fragments too. With PMTUFixed the limit is the MTU
// itself, as the user vouches for it, and so it is on a path to this
// host (onHost), which has no router to lose large packets.
func (a *Association) chunkRoom(over int) (room, limit int) {
	pmtu, base := 0, 0
	for _, p := range a.paths {
		if p.usable() && (pmtu == 0 || p.mtu < pmtu) {
			pmtu = p.mtu
		}
		b := p.mtu
		if !p.pmtuFixed && !p.onHost() {
			b = p.baseMTU()
		}
		if base == 0 || b < base {
			base = b
		}
	}
	if pmtu == 0 { // no usable path yet: what every path carries
		pmtu = base
	}
	return pmtu - over, min(base, pmtu) - over
}

// fragSizes returns how new messages are cut: one that fits a chunk of
// at most whole bytes of payload goes whole; a larger one is cut into
// fragments of frag bytes, the fewest equal chunks that each fit the base
// size and together fill the PMTU (two chunks of 728 bytes in a 1472-byte
// packet, say; see chunkRoom). Packets still fill the PMTU, and after a
// black hole the chunks already sent go one to a packet.
func (a *Association) fragSizes() (whole, frag int) {
	over := wire.CommonHeaderLen
	if a.auth != nil && a.auth.SendNeedsAuth(a.tx.dataType()) {
		over += a.auth.AuthLen()
	}
	room, limit := a.chunkRoom(over)
	chunk := room
	if k := (room + limit - 1) / limit; k > 1 {
		chunk = room / k &^ 3 // chunks are padded to 4 bytes
	}
	return limit - a.tx.dataHeaderLen(), chunk - a.tx.dataHeaderLen()
}

// fragSize is the payload of the next chunk of a message with rest bytes
// left to send (see fragSizes).
func fragSize(rest, whole, frag int) int {
	if rest <= whole {
		return rest
	}
	return frag
}

// pmtuActive reports whether p's MTU search may probe now.
func (a *Association) pmtuActive(p *path) bool {
	return !p.pmtuFixed && p.usable() && a.probesAllowed()
}

// pmtuDeadline is when p's search next needs the loop, zero if never.
func (a *Association) pmtuDeadline(p *path) time.Time {
	if p.pmtu == nil || !a.pmtuActive(p) {
		return time.Time{}
	}
	return p.pmtu.Deadline()
}

// onPMTUTimer runs p's search on every pass of the loop: it starts the
// search once the path is usable, lets it time out lost probes, and sends
// the probe it asks for.
func (a *Association) onPMTUTimer(now time.Time, p *path) {
	if !a.pmtuActive(p) {
		return
	}
	if p.pmtu == nil {
		p.ceiling = a.searchMax(p) &^ 3 // SCTP packets are multiples of 4 bytes
		p.pmtu = plpmtud.New(plpmtud.Config{
			Base: p.baseMTU(), Min: p.baseMTU(), Max: min(p.packetSize(DefaultPMTU)&^3, p.ceiling),
			ProbeTimeout: a.cfg.PMTUProbeTimeout,
			Confirm:      p.confirmInterval(),
		}, now)
	}
	p.pmtu.Timeout(now)
	a.followPMTU(p)
	if size, ok := p.pmtu.Probe(now); ok {
		a.sendMTUProbe(now, p, size)
	}
}

// onHost reports whether p leads to this host (a loopback address, or
// the path's own source): no router lies on it, so its MTU cannot shrink
// behind a black hole. A T3 expiry there is a loss, never a size that
// stopped getting through; its chunks may fill the confirmed PMTU, as
// kernel SCTP fills loopback's 64 KiB, and a completed search needs no
// confirmation (a confirmation lost to a full socket buffer would
// otherwise take the path back to the base size with such chunks out).
func (p *path) onHost() bool {
	dst := p.remote.Addr().Unmap()
	return dst.IsLoopback() || dst == p.local
}

// confirmInterval is how often p's completed search re-probes its size:
// the default, never on a path to this host.
func (p *path) confirmInterval() time.Duration {
	if p.onHost() {
		return -1
	}
	return 0
}

// wantLargerPackets raises the ceiling of p's search from an Ethernet's
// packet size to the route's (searchMax) when the association has more
// queued than a packet of p carries. A probe above an Ethernet's size
// (up to 64 KiB on loopback) costs its size at both ends and in the
// peer's socket buffer, and is worth it only to an association with bulk
// data: 10,000 associations trickling small messages to one server would
// otherwise send it 640 MB of probes when they start, and again at every
// confirmation. The search goes higher at once, while the association
// sends in packets of the size already confirmed.
func (a *Association) wantLargerPackets(now time.Time, p *path) {
	if p.pmtu == nil || !a.pmtuActive(p) {
		return
	}
	if p.ceiling > p.pmtu.Max() {
		p.pmtu.RaiseMax(now, p.ceiling)
	}
}

// searchMax is the ceiling of a search of p that starts now (RFC 8899's
// MAX_PLPMTU, from the local interface): the MTU of the OS's route toward
// the peer, asked again at each start since a new source may mean a new
// route, at most Config.PMTU if set and what one UDP datagram carries;
// p.maxMTU where the OS does not tell.
func (a *Association) searchMax(p *path) int {
	mtu, ok := a.ep.routeMTU(p.remote.Addr())
	if !ok {
		return p.maxMTU
	}
	if a.cfg.PMTU != 0 {
		mtu = min(mtu, a.cfg.PMTU)
	}
	return p.packetSize(min(mtu, maxIPPacket))
}

// sendMTUProbe queues a HEARTBEAT padded to size bytes of SCTP packet.
// Larger than the path's packets, it cannot share one with other chunks.
func (a *Association) sendMTUProbe(now time.Time, p *path, size int) {
	p.probeNonce = rand.Uint64() | 1 // never zero, the value of no probe
	info := hbInfo(make([]byte, probeInfoLen), now, p, p.probeNonce)
	binary.BigEndian.PutUint32(info[hbInfoLen:], uint32(size))
	hb := heartbeatChunk(info)
	pad := size - wire.CommonHeaderLen - len(hb) - wire.ChunkHeaderLen
	if a.auth != nil && a.auth.SendNeedsAuth(wire.TypeHeartbeat) {
		pad -= a.auth.AuthLen()
	}
	a.queueCtrl((&wire.Pad{Padding: make([]byte, max(pad, 0))}).Append(hb), p)
	p.stats.PMTUProbes++
}

// mtuProbeAcked confirms the probed size to the search of the path the
// acknowledgement names, if it carries that probe's nonce.
func (a *Association) mtuProbeAcked(now time.Time, info []byte) {
	p := a.pathTo(netip.AddrFrom16([16]byte(info[hbRemoteOff:])).Unmap())
	if p == nil || p.pmtu == nil || p.probeNonce == 0 || binary.BigEndian.Uint64(info) != p.probeNonce {
		return // a late answer to an earlier probe, or not ours
	}
	p.pmtu.Acked(now, int(binary.BigEndian.Uint32(info[hbInfoLen:])))
	a.followPMTU(p)
}

// pmtuBlackHole handles a T3 expiry on p: with packets larger than the
// base size outstanding, the path may have stopped carrying them (a
// smaller link on a new route, ICMP dropped on the way), so the search
// drops to the base at once and the retransmissions go in base-size
// packets (RFC 8899 section 4.3). On a path that only lost packets the
// search finds its size again within a few round trips.
func (a *Association) pmtuBlackHole(now time.Time, p *path) {
	if p.pmtu == nil || p.mtu <= p.baseMTU() || p.onHost() {
		return
	}
	p.pmtu.BlackHole(now)
	p.stats.PMTUBlackHoles++
	a.followPMTU(p)
}

// restartPMTU starts p's search again from the base, for a path that got
// a new source address: the new route may not carry what the old did.
func (a *Association) restartPMTU(p *path) {
	if p.pmtuFixed {
		return
	}
	p.pmtu = nil // a new search starts on the next pass of the loop
	a.setMTU(p, p.baseMTU())
}

// followPMTU makes p's packets follow its search.
func (a *Association) followPMTU(p *path) { a.setMTU(p, p.pmtu.PMTU()) }

func (a *Association) setMTU(p *path, mtu int) {
	if mtu == p.mtu {
		return
	}
	a.log.Debugf("path to %v: MTU %d -> %d", p.remote, p.mtu, mtu)
	if mtu > p.mtu {
		p.cc.OnMTURaised(mtu)
	}
	p.mtu = mtu
	a.emit(Event{Type: EventPathMTU, Addr: p.remote, MTU: mtu})
}

// mtuSearchState names the search phase for PathInfo.
func (p *path) mtuSearchState() string {
	switch {
	case p.pmtuFixed:
		return "fixed"
	case p.pmtu == nil:
		return plpmtud.Base.String()
	}
	return p.pmtu.State().String()
}
