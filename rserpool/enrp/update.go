package enrp

import (
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// Local reports a change of an element this registrar owns: a
// registration or re-registration (AddPE) or a removal (DelPE), for
// whatever reason. It is sent to every peer as a Handle Update.
func (m *Machine) Local(now time.Time, action wire.UpdateAction, handle wire.PoolHandle, pe wire.PoolElement) []Action {
	m.acts, m.now = m.acts[:0], now
	pe.HomeServer = m.cfg.ID
	suggest := wire.ServerID(0)
	if action == wire.AddPE && m.cfg.SuggestTakeover {
		suggest = m.leastLoaded()
	}
	m.sendAll(0, func(to wire.ServerID) wire.ENRPValue {
		return &wire.HandleUpdate{ENRPHeader: m.header(to), TakeoverSuggested: to == suggest, Action: action, Handle: handle, Element: pe}
	})
	return m.acts
}

// leastLoaded returns the alive peer that owns the fewest elements, if it
// owns at least two fewer than this registrar (one fewer would only swap
// the imbalance), or 0.
func (m *Machine) leastLoaded() wire.ServerID {
	best, bestN := wire.ServerID(0), m.table.Owned(m.cfg.ID)-1
	for id, p := range m.peers {
		if n := m.table.Owned(id); p.State == Alive && (n < bestN || n == bestN && best != 0 && id < best) {
			best, bestN = id, n
		}
	}
	return best
}

// updateReceived applies a peer's Handle Update. The sender is the
// element's owner from now on.
func (m *Machine) updateReceived(p *peer, v *wire.HandleUpdate) {
	m.stats.UpdatesReceived++
	key := KeyOf(v.Handle, v.Element.ID)
	switch v.Action {
	case wire.AddPE:
		if p.Syncing {
			p.keep[key] = struct{}{}
		}
		m.acts = append(m.acts, Action{Kind: AddElement, Owner: p.ID, Handle: v.Handle, Element: v.Element})
		if v.TakeoverSuggested && v.Receiver == m.cfg.ID && m.cfg.HonourSuggestions {
			m.acts = append(m.acts, Action{Kind: ClaimElement, Handle: v.Handle, Element: v.Element})
		}
	case wire.DelPE:
		if p.Syncing {
			delete(p.keep, key)
		}
		m.acts = append(m.acts, Action{Kind: DelElement, Owner: p.ID, Handle: v.Handle, Element: v.Element})
	default:
		m.stats.Ignored++
	}
}
