package enrp

import (
	"maps"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Machine is the ENRP state of one registrar. It is not safe for
// concurrent use: the registrar calls it under its lock.
type Machine struct {
	cfg          Config
	table        Table
	peers        map[wire.ServerID]*peer
	nextPresence time.Time
	now          time.Time // of the call being handled
	acts         []Action
	stats        Stats
}

// Stats counts what the machine did.
type Stats struct {
	Received, Ignored              uint64 // messages, and those not for us or unexpected
	PresencesSent, UpdatesSent     uint64
	UpdatesReceived                uint64
	SyncsStarted, SyncsDone        uint64
	AuditMismatches                uint64
	SyncsStalled                   uint64 // restarted after MaxTimeNoResponse without an answer
	TakeoversStarted, TakeoversWon uint64
	TakeoversAbandoned             uint64
	TakeoversRetried               uint64 // started again after acknowledgements went missing
	PeersLost                      uint64
}

// New returns a machine with an empty peer table; its first Presence is
// due at now.
func New(cfg Config, t Table, now time.Time) *Machine {
	return &Machine{cfg: cfg.withDefaults(), table: t, peers: map[wire.ServerID]*peer{}, nextPresence: now}
}

// ID returns this registrar's server ID.
func (m *Machine) ID() wire.ServerID { return m.cfg.ID }

// Stats returns the counters.
func (m *Machine) Stats() Stats { return m.stats }

// Peers returns the peer table, by server ID.
func (m *Machine) Peers() []PeerInfo {
	ids := slices.Sorted(maps.Keys(m.peers))
	out := make([]PeerInfo, len(ids))
	for i, id := range ids {
		out[i] = m.peers[id].PeerInfo
	}
	return out
}

// Hello returns the message to send on a new association to a registrar
// whose ID is not known yet: a Presence that asks for one back.
func (m *Machine) Hello() wire.ENRPValue { return m.presence(0, true) }

// Next returns when Tick is due.
func (m *Machine) Next() time.Time {
	next := m.nextPresence
	for _, p := range m.peers {
		if p.deadline.Before(next) {
			next = p.deadline
		}
		if p.Syncing && p.syncDue.Before(next) {
			next = p.syncDue
		}
	}
	return next
}

// Tick runs the timers due at now.
func (m *Machine) Tick(now time.Time) []Action {
	m.acts, m.now = m.acts[:0], now
	if !now.Before(m.nextPresence) {
		m.heartbeat()
		m.nextPresence = now.Add(m.cfg.HeartbeatCycle)
	}
	for _, id := range slices.Sorted(maps.Keys(m.peers)) { // sorted: reproducible
		if p := m.peers[id]; p != nil && !now.Before(p.deadline) {
			m.expire(p, now)
		}
		if p := m.peers[id]; p != nil && p.Syncing && !now.Before(p.syncDue) {
			m.syncStalled(p)
		}
	}
	return m.acts
}

// heartbeat sends this cycle's Presences.
func (m *Machine) heartbeat() {
	for _, p := range m.peers {
		m.send(p.ID, m.presence(p.ID, false))
	}
	if m.cfg.Multicast {
		m.stats.PresencesSent++
		m.acts = append(m.acts, Action{Kind: Multicast, Msg: m.presence(0, false)})
	}
}

// expire handles the timer of p, due at now.
func (m *Machine) expire(p *peer, now time.Time) {
	switch p.State {
	case Alive:
		p.State = Probing
		p.deadline = now.Add(m.cfg.MaxTimeNoResponse)
		m.send(p.ID, m.presence(p.ID, true))
	case Probing:
		m.dead(p, now)
	case TakingOver:
		m.takeoverExpired(p, now)
	}
}

// dead handles a peer that did not answer: take its elements over unless
// another registrar is doing so, or forget it if it has none.
func (m *Machine) dead(p *peer, now time.Time) {
	if p.takeoverBy == 0 && m.table.Owned(p.ID) > 0 {
		m.startTakeover(p, now)
		return
	}
	m.forget(p)
}

// forget removes p from the peer table.
func (m *Machine) forget(p *peer) {
	delete(m.peers, p.ID)
	m.stats.PeersLost++
	m.acts = append(m.acts, Action{Kind: PeerDead, Target: p.ID})
}

// LinkUp tells the machine that the association with peer id is (again)
// established: it fetches the peer's elements unless it is doing so.
func (m *Machine) LinkUp(now time.Time, id wire.ServerID) []Action {
	m.acts, m.now = m.acts[:0], now
	if id != 0 && id != m.cfg.ID {
		p := m.learn(now, id)
		// The peer's next request starts a new transfer: one it had
		// under way ended with its association. (Starting over
		// never loses an element; continuing a stale cursor would.)
		p.serving = false
		if !p.Syncing {
			m.startSync(p)
		}
	}
	return m.acts
}

// LinkDown tells the machine that the association with peer id failed:
// a table transfer in either direction is over, and unless the peer is
// heard from within MaxTimeNoResponse it is dead.
func (m *Machine) LinkDown(now time.Time, id wire.ServerID) []Action {
	m.acts, m.now = m.acts[:0], now
	p := m.peers[id]
	if p == nil {
		return m.acts
	}
	p.serving, p.Syncing, p.keep = false, false, nil
	if p.State == Alive {
		p.State = Probing
		p.deadline = now.Add(m.cfg.MaxTimeNoResponse)
	}
	return m.acts
}

// Receive handles an ENRP message. Messages from this registrar itself
// (multicast loops back) and for another registrar are ignored.
func (m *Machine) Receive(now time.Time, v wire.ENRPValue) []Action {
	m.acts, m.now = m.acts[:0], now
	m.stats.Received++
	h := *v.Header()
	if h.Sender == 0 || h.Sender == m.cfg.ID || (h.Receiver != 0 && h.Receiver != m.cfg.ID) {
		m.stats.Ignored++
		return m.acts
	}
	m.alive(m.learn(now, h.Sender), now)
	p := m.peers[h.Sender]
	switch v := v.(type) {
	case *wire.Presence:
		m.presenceReceived(p, v)
	case *wire.HandleTableRequest:
		m.tableRequested(p, v)
	case *wire.HandleTableResponse:
		m.tableReceived(p, v)
	case *wire.HandleUpdate:
		m.updateReceived(p, v)
	case *wire.InitTakeover:
		m.initTakeoverReceived(p, v.Target)
	case *wire.InitTakeoverAck:
		m.takeoverAcked(p, v.Target, now)
	case *wire.TakeoverServer:
		m.takeoverServerReceived(p, v.Target)
	default: // List Request/Response, Error: nothing to do here
		m.stats.Ignored++
	}
	return m.acts
}

// learn returns the peer table entry of id, creating it (and fetching the
// peer's elements) for a new peer.
func (m *Machine) learn(now time.Time, id wire.ServerID) *peer {
	p := m.peers[id]
	if p == nil {
		p = &peer{PeerInfo: PeerInfo{ID: id}}
		p.heard(now, &m.cfg)
		m.peers[id] = p
		m.startSync(p)
	}
	return p
}

// alive notes a word from p: whatever takeover of it was under way
// stops, as it is not dead.
func (m *Machine) alive(p *peer, now time.Time) {
	if p.takeover != nil {
		p.takeover = nil
		m.stats.TakeoversAbandoned++
	}
	p.takeoverBy = 0
	p.heard(now, &m.cfg)
}

// presenceReceived answers a Presence that asks for one and audits the
// sender's part of the handlespace.
func (m *Machine) presenceReceived(p *peer, v *wire.Presence) {
	if v.Server.Transport.Type != 0 {
		p.Server = v.Server
		p.Server.Transport.Addrs = slices.Clone(v.Server.Transport.Addrs)
	}
	if v.ReplyRequired {
		m.send(p.ID, m.presence(p.ID, false))
	}
	if !p.Syncing && wire.PEChecksum(m.table.Checksum(p.ID)) != v.Checksum {
		m.stats.AuditMismatches++
		m.startSync(p)
	}
}

// presence returns this registrar's Presence for receiver to (0: all).
func (m *Machine) presence(to wire.ServerID, reply bool) *wire.Presence {
	return &wire.Presence{
		ENRPHeader:    wire.ENRPHeader{Sender: m.cfg.ID, Receiver: to},
		ReplyRequired: reply,
		Checksum:      wire.PEChecksum(m.table.Checksum(m.cfg.ID)),
		Server:        m.cfg.Server,
	}
}

// send queues v for peer to.
func (m *Machine) send(to wire.ServerID, v wire.ENRPValue) {
	switch v.(type) {
	case *wire.Presence:
		m.stats.PresencesSent++
	case *wire.HandleUpdate:
		m.stats.UpdatesSent++
	}
	m.acts = append(m.acts, Action{Kind: Send, To: to, Msg: v})
}

// sendAll queues the message build makes for each peer but except.
func (m *Machine) sendAll(except wire.ServerID, build func(to wire.ServerID) wire.ENRPValue) {
	for _, id := range slices.Sorted(maps.Keys(m.peers)) {
		if id != except {
			m.send(id, build(id))
		}
	}
}

func (m *Machine) header(to wire.ServerID) wire.ENRPHeader {
	return wire.ENRPHeader{Sender: m.cfg.ID, Receiver: to}
}
