package stack

import (
	"encoding/binary"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// Our heartbeat information (opaque to the peer, RFC 9260 section 8.3):
// a random nonce, the send time, the destination address and the source
// address, so a HEARTBEAT ACK names its (local, remote) pair and cannot be
// forged blindly.
const (
	hbInfoLen   = 8 + 8 + 16 + 16
	hbRemoteOff = 16
	hbSourceOff = 32
)

// onHeartbeatTimer sends the next heartbeat to p. If the previous one is
// still unanswered, that counts as an error on p first, and RTO backs off
// (section 8.3). A path that carried data within the interval is not idle
// and waits.
func (a *Association) onHeartbeatTimer(now time.Time, p *path) {
	if !a.probesAllowed() {
		p.hbDue = time.Time{}
		return
	}
	if !a.heartbeatAllowed(now, p) {
		return
	}
	if p.hbPending {
		p.hbPending = false
		p.rto.backoff()
		a.pathError(now, p)
		if a.state == stateClosed {
			return
		}
	} else if p.state == PathActive && now.Sub(p.lastData) < a.cfg.HeartbeatInterval {
		// A path on probation has a period shorter than the interval:
		// the next heartbeat after its last data may be due already.
		if due := p.lastData.Add(a.hbPeriod(p)); due.After(now) {
			p.hbDue = due
			return
		}
	}
	a.sendHeartbeat(now, p)
}

// sendHeartbeat sends one HEARTBEAT to p.
func (a *Association) sendHeartbeat(now time.Time, p *path) {
	p.hbNonce = rand.Uint64() | 1 // never zero, the value of a path not yet probed
	p.hbSent = now
	p.hbPending = true
	info := hbInfo(make([]byte, hbInfoLen), now, p, p.hbNonce)
	a.queueCtrl(heartbeatChunk(info), p)
	a.stats.HeartbeatsSent++
	a.probeSources(p, info)
	p.hbDue = now.Add(a.hbPeriod(p))
}

// hbInfo fills the heartbeat information of a HEARTBEAT to p.
func hbInfo(info []byte, now time.Time, p *path, nonce uint64) []byte {
	binary.BigEndian.PutUint64(info, nonce)
	binary.BigEndian.PutUint64(info[8:], uint64(now.UnixNano()))
	addr := p.remote.Addr().As16()
	copy(info[hbRemoteOff:], addr[:])
	putHBSource(info, p.local)
	return info
}

// heartbeatChunk encodes a HEARTBEAT carrying info.
func heartbeatChunk(info []byte) []byte { return (&wire.Heartbeat{Info: info}).Append(nil) }

// putHBSource records in heartbeat information the source it leaves from.
func putHBSource(info []byte, src netip.Addr) {
	addr := src.As16()
	copy(info[hbSourceOff:], addr[:])
}

// handleHeartbeat answers a HEARTBEAT from where it came (section 8.3).
func (a *Association) handleHeartbeat(rp *rxPacket, c wire.Chunk) {
	var hb wire.Heartbeat
	if hb.Decode(c) != nil {
		a.badChunk(c)
		return
	}
	ack := (&wire.HeartbeatAck{Info: hb.Info}).Append(nil)
	a.reply(ack, rp)
}

// handleHeartbeatAck confirms a path and measures its RTT if the ACK
// carries the nonce we sent it.
func (a *Association) handleHeartbeatAck(now time.Time, c wire.Chunk) {
	var hb wire.HeartbeatAck
	err := hb.Decode(c)
	if err == nil && len(hb.Info) == probeInfoLen {
		a.mtuProbeAcked(now, hb.Info)
		return
	}
	if err != nil || len(hb.Info) != hbInfoLen {
		a.badChunk(c)
		return
	}
	p := a.pathTo(netip.AddrFrom16([16]byte(hb.Info[hbRemoteOff:])).Unmap())
	// A path never probed has nonce zero, which must not match a forged
	// zero: only the nonce of a HEARTBEAT we sent counts.
	if p == nil || p.hbNonce == 0 || binary.BigEndian.Uint64(hb.Info) != p.hbNonce {
		a.stats.HeartbeatsForged++
		return
	}
	if !p.hbPending {
		return // a second answer to one round of source probes
	}
	p.hbPending = false
	p.rto.sample(now.Sub(p.hbSent))
	a.sourceAnswered(now, p, netip.AddrFrom16([16]byte(hb.Info[hbSourceOff:])).Unmap())
	a.errors = 0
	a.pathHeard(now, p)
	a.scheduleHeartbeat(now, p)
}
