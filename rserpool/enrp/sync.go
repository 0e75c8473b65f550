package enrp

import "github.com/mobisctp/mobisctp/rserpool/wire"

// Handle table synchronisation (RFC 5353 sections 3.3 and 3.6). Each
// registrar fetches from each peer the elements that peer owns (W flag),
// rather than one mentor's whole table: an element then always comes from
// its owner, and one peer's part can be repaired on its own after an
// audit.

// startSync asks p for the elements it owns. What arrives is recorded in
// p.keep, so that the elements of p that are not in the answer can be
// purged at its end.
func (m *Machine) startSync(p *peer) {
	p.Syncing = true
	p.keep = map[Key]struct{}{}
	m.stats.SyncsStarted++
	m.requestTable(p)
}

func (m *Machine) requestTable(p *peer) {
	p.syncDue = m.now.Add(m.cfg.MaxTimeNoResponse)
	m.send(p.ID, &wire.HandleTableRequest{ENRPHeader: m.header(p.ID), OwnChildrenOnly: true})
}

// syncStalled restarts a synchronisation whose last request went
// unanswered for MaxTimeNoResponse: the request or its answer was lost
// with an association that failed, or the peer restarted. The peer
// answers the new request from the start of its table, since its own end
// of the transfer ended with that association.
func (m *Machine) syncStalled(p *peer) {
	m.stats.SyncsStalled++
	m.startSync(p)
}

// tableRequested answers a Handle Table Request with the next part of the
// table. A request while a transfer is under way continues it (the M
// flag told the peer to ask again); otherwise it starts a new one.
func (m *Machine) tableRequested(p *peer, v *wire.HandleTableRequest) {
	if !p.serving {
		p.out, p.outOwner = Cursor{}, 0
		if v.OwnChildrenOnly {
			p.outOwner = m.cfg.ID
		}
	}
	resp := &wire.HandleTableResponse{ENRPHeader: m.header(p.ID)}
	p.out, resp.MoreToSend = m.table.Fill(resp, p.out, p.outOwner)
	p.serving = resp.MoreToSend
	m.send(p.ID, resp)
}

// contested reports whether an element that peer claims in a table it
// sent stays with its present owner. Two registrars claim the same element
// after a partition, when each side took the other's elements over; the
// claim of the lower server ID wins, here and on every registrar, so that
// the claims converge instead of each side giving the element away and
// then purging it. An owner that is neither this registrar nor a peer
// does not count, and a Handle Update, news of a registration, is always
// passed on: the registrar weighs it against the element's live session,
// if it holds one, by the same rule.
func (m *Machine) contested(k Key, peer wire.ServerID) bool {
	owner, ok := m.table.Owner(k)
	if !ok || owner == peer || owner > peer {
		return false
	}
	return owner == m.cfg.ID || m.peers[owner] != nil
}

// tableReceived takes in one part of p's table and asks for the next, or
// ends the synchronisation.
func (m *Machine) tableReceived(p *peer, v *wire.HandleTableResponse) {
	if !p.Syncing {
		m.stats.Ignored++ // unsolicited
		return
	}
	if v.Reject {
		p.Syncing, p.keep = false, nil
		return
	}
	for _, en := range v.Entries {
		for _, pe := range en.Elements {
			key := KeyOf(en.Handle, pe.ID)
			p.keep[key] = struct{}{}
			if m.contested(key, p.ID) {
				continue
			}
			m.acts = append(m.acts, Action{Kind: AddElement, Owner: p.ID, Handle: en.Handle, Element: pe})
		}
	}
	if v.MoreToSend {
		m.requestTable(p)
		return
	}
	m.acts = append(m.acts, Action{Kind: Purge, Owner: p.ID, Keep: p.keep})
	p.Syncing, p.Synced, p.keep = false, true, nil
	m.stats.SyncsDone++
}
