package stack

import (
	"net/netip"
	"slices"
	"time"
)

// Source addresses. A path is really a (local, remote) pair: the source
// address matters as much as the destination, because an address can stay
// configured while its network no longer passes traffic (an uplink died, a
// WLAN lost its backhaul). The source of each path is what the OS would
// use toward the destination (see routeSource), among the addresses the
// peer knows. When the path stops answering, its heartbeats also leave
// from the other usable local addresses, a few per round, and the pair
// that answers is kept (learned). Replies leave from the address the
// packet they answer arrived on.

// maxSourceProbes bounds the alternative sources one heartbeat round of a
// failing path tries, so that a host with many addresses does not flood
// the peer; further ones take their turn in later rounds.
const maxSourceProbes = 3

// usableLocals lists our addresses the peer knows, without those we asked
// it to delete, unless nothing else is left.
func (a *Association) usableLocals() []netip.Addr {
	usable := a.addip.locals
	if len(a.addip.leaving) > 0 {
		staying := slices.DeleteFunc(slices.Clone(usable), func(x netip.Addr) bool { return slices.Contains(a.addip.leaving, x) })
		if len(staying) > 0 {
			usable = staying
		}
	}
	return usable
}

// sourceFor picks the source address for dst among our addresses the peer
// knows (all of the endpoint's before the handshake told us which): the
// one the OS would choose, or else the prefix rule.
func (a *Association) sourceFor(dst netip.Addr) netip.Addr {
	return a.ep.pickSource(dst, a.usableLocals())
}

// refreshSources picks each path's source address again among the local
// addresses the peer knows, after that set changed. A source learned by
// probing stays while it is usable.
func (a *Association) refreshSources(now time.Time) {
	usable := a.usableLocals()
	for _, p := range a.paths {
		if p.learned && slices.Contains(usable, p.local) {
			continue
		}
		if local := a.sourceFor(p.remote.Addr()); local != p.local {
			a.moveSource(now, p, local, false)
			a.restartPMTU(p)
		}
	}
}

// moveSource makes local p's source address; learned says that probing
// found it to work. A path that is not active and got a source that was
// merely picked is probed from it at once: the old source may be why it
// did not answer.
func (m *pathManager) moveSource(now time.Time, p *path, local netip.Addr, learned bool) {
	p.local, p.learned = local, learned
	if !learned && p.state != PathActive && m.cfg.HeartbeatInterval >= 0 {
		p.hbPending = false // what is pending left from the old source
		p.hbDue = now
	}
}

// replySource is the source for an answer to a packet that arrived on
// local: that address, unless the peer no longer knows it as ours.
func (a *Association) replySource(local netip.Addr, p *path) netip.Addr {
	if len(a.addip.locals) == 0 || slices.Contains(a.addip.locals, local) {
		return local
	}
	if p != nil {
		return p.local
	}
	return a.sourceFor(local)
}

// altSources lists the local addresses other than p's current source that
// could reach p's destination, among usable ones that are bound, starting
// at p's rotation point so that every candidate gets its turn when there
// are more than maxSourceProbes.
func (m *pathManager) altSources(p *path, usable, bound []netip.Addr) []netip.Addr {
	dst := p.remote.Addr().Unmap()
	var alts []netip.Addr
	for _, l := range usable {
		if l != p.local && sameFamily(l, dst) && visibleTo(l, dst) && slices.Contains(bound, l) {
			alts = append(alts, l)
		}
	}
	if len(alts) <= maxSourceProbes {
		return alts
	}
	start := p.probeNext % len(alts)
	p.probeNext = start + maxSourceProbes
	out := make([]netip.Addr, 0, maxSourceProbes)
	for i := range maxSourceProbes {
		out = append(out, alts[(start+i)%len(alts)])
	}
	return out
}

// probeSources sends the heartbeat of a path that has stopped answering
// from other local addresses too. info is the heartbeat information of the
// heartbeat that went from p's source; each copy names its own source, so
// that the acknowledgement tells which pair works.
func (a *Association) probeSources(p *path, info []byte) {
	if p.errors == 0 {
		return
	}
	for _, l := range a.altSources(p, a.usableLocals(), a.ep.conn.LocalAddrs()) {
		probe := slices.Clone(info)
		putHBSource(probe, l)
		a.queueCtrlTo(heartbeatChunk(probe), p.remote, l, a.peerTag)
		a.stats.SourceProbes++
	}
}

// sourceAnswered handles the acknowledgement of a heartbeat that left from
// local: if that is not p's source, the pair (local, p's destination)
// works where the current one did not, and p keeps it.
func (a *Association) sourceAnswered(now time.Time, p *path, local netip.Addr) {
	if local == p.local || !local.IsValid() || !slices.Contains(a.usableLocals(), local) {
		return
	}
	a.log.Infof("path to %v: source %v answered, %v did not; switching", p.remote, local, p.local)
	a.moveSource(now, p, local, true)
	a.restartPMTU(p)
	a.stats.SourceChanges++
}
