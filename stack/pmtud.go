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
// search's PMTU; DATA chunks are cut for the base size (see fragMTU).

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

// fragMTU is the packet size DATA chunks of new messages are cut for.
//
// With the search on it is the base size of the paths, not their
// discovered PMTU: a chunk's TSN is fixed once it is sent, so a chunk cut
// for a larger PMTU could not shrink when that PMTU turns out to be a
// black hole, and with Don't Fragment on every datagram it would never
// get through again. Cut for the base, every chunk fits any path that
// works at all, and after a black hole the retransmissions simply go
// fewer to a packet. Packets still fill the discovered PMTU by bundling
// several chunks; a message above the base costs one more 16-byte chunk
// header per 1.2 KB, a smaller one nothing. The alternatives (sending
// such chunks without DF, per datagram or through a second socket) would
// let the network fragment exactly where it drops fragments or ICMP.
// With PMTUFixed it is the smallest path MTU, since a retransmission may
// go to any path.
func (a *Association) fragMTU() int {
	n := 0
	for _, p := range a.paths {
		f := p.mtu
		if !p.pmtuFixed {
			f = p.baseMTU()
		}
		if n == 0 || f < n {
			n = f
		}
	}
	return n
}

// pmtuActive reports whether p's MTU search may probe now.
func (a *Association) pmtuActive(p *path) bool {
	return !p.pmtuFixed && p.usable() && a.dataAllowed()
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
		p.pmtu = plpmtud.New(plpmtud.Config{
			Base: p.baseMTU(), Min: p.baseMTU(), Max: p.maxMTU &^ 3, // SCTP packets are multiples of 4 bytes
			ProbeTimeout: a.cfg.PMTUProbeTimeout,
		}, now)
	}
	p.pmtu.Timeout(now)
	a.followPMTU(p)
	if size, ok := p.pmtu.Probe(now); ok {
		a.sendMTUProbe(now, p, size)
	}
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
	if p.pmtu == nil || p.mtu <= p.baseMTU() {
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
