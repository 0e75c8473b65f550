package registrar

import (
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	enrpsm "github.com/mobisctp/mobisctp/rserpool/enrp"
	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// claimRig is a registrar core with ENRP and one peer, whose association
// is a queue the test reads, driven without a network.
type claimRig struct {
	t    *testing.T
	c    *core
	peer *link // to the peer: what the core sends it waits in out
	sess *session
	now  time.Time
}

const claimPool = "claims"

var claimElement = element(7, roundRobin, peAddr)

func newClaimRig(t *testing.T, self, peer wire.ServerID) *claimRig {
	cfg := Config{ServerID: self}.withDefaults()
	now := time.Unix(1700000000, 0)
	c := newCore(cfg, cfg.LoggerFactory.NewLogger("registrar"))
	c.enrp = newENRPCore(enrpsm.New(cfg.machineConfig(wire.Transport{}), c.enrpTable(), now))
	l := newLink(nil, false)
	l.id = peer
	c.enrp.links[peer], c.enrp.all[l] = l, struct{}{}
	r := &claimRig{t: t, c: c, peer: l, sess: newSession(&fakeConn{peers: []netip.Addr{peAddr}}), now: now}
	r.receive(wire.AppendENRP(nil, &wire.Presence{ENRPHeader: wire.ENRPHeader{Sender: peer, Receiver: self}}))
	r.sent() // whatever the greeting made
	return r
}

// register registers the element through the rig's session.
func (r *claimRig) register() {
	reg := wire.Registration{Handle: wire.PoolHandle(claimPool), Element: claimElement}
	r.c.handle(r.sess, wire.PPIDASAP, wire.AppendASAP(nil, &reg), []netip.Addr{peAddr}, r.now)
	r.sess.out.reset()
	require.Equal(r.t, r.c.cfg.ServerID, r.owner(), "owner after the registration")
}

// receive hands the core an ENRP message from the peer.
func (r *claimRig) receive(msg []byte) { r.c.enrpReceive(r.peer, msg, 0, r.now) }

// update hands the core a Handle Update from the peer.
func (r *claimRig) update(action wire.UpdateAction) {
	pe := claimElement
	pe.HomeServer = r.peer.id
	r.receive(wire.AppendENRP(nil, &wire.HandleUpdate{ENRPHeader: wire.ENRPHeader{Sender: r.peer.id, Receiver: r.c.cfg.ServerID},
		Action: action, Handle: wire.PoolHandle(claimPool), Element: pe}))
}

// sent returns and forgets the messages queued for the peer.
func (r *claimRig) sent() [][]byte {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	out := r.peer.out
	r.peer.out = nil
	return out
}

// updates decodes the Handle Updates among msgs.
func updates(t *testing.T, msgs [][]byte) []*wire.HandleUpdate {
	var out []*wire.HandleUpdate
	for _, m := range msgs {
		v, err := enrpsm.Decode(m)
		require.NoError(t, err)
		if u, ok := v.(*wire.HandleUpdate); ok {
			out = append(out, u)
		}
	}
	return out
}

// owner returns the element's owner in the handlespace, 0 if it is not
// there.
func (r *claimRig) owner() wire.ServerID {
	r.c.mu.Lock()
	defer r.c.mu.Unlock()
	e := r.c.hs.Lookup([]byte(claimPool), uint32(claimElement.ID))
	if e == nil {
		return 0
	}
	return wire.ServerID(e.Owner())
}

// TestClaimCrossingLowerKeeps has the element register at registrar 3
// while registrar 4's Handle Update for it is in flight: 3 keeps the
// element, answers with its own update, and a DelPE from 4 (its
// association with the element ended) removes nothing.
func TestClaimCrossingLowerKeeps(t *testing.T) {
	r := newClaimRig(t, 3, 4)
	r.register()
	require.Len(t, updates(t, r.sent()), 1, "the registration's Handle Update")

	r.update(wire.AddPE)
	require.Equal(t, wire.ServerID(3), r.owner())
	ups := updates(t, r.sent())
	require.Len(t, ups, 1, "answer to the claim")
	require.Equal(t, wire.AddPE, ups[0].Action)
	require.Equal(t, wire.ServerID(3), ups[0].Element.HomeServer)

	r.update(wire.DelPE)
	require.Equal(t, wire.ServerID(3), r.owner(), "a DelPE from a peer that does not own the element")
	require.Len(t, updates(t, r.sent()), 1, "the update repeated for those that took 4 for the owner")
	require.Equal(t, uint64(1), r.c.enrp.stats.ClaimsRefused)
}

// TestClaimCrossingHigherYields is the other side of the crossing: 4
// yields to 3's update, keeping the element's live session on standby,
// and becomes home again when 3 drops the element, instead of removing
// it.
func TestClaimCrossingHigherYields(t *testing.T) {
	r := newClaimRig(t, 4, 3)
	r.register()
	r.sent()

	r.update(wire.AddPE)
	require.Equal(t, wire.ServerID(3), r.owner())
	require.Empty(t, updates(t, r.sent()), "a yielding registrar does not answer")
	e := r.c.hs.Lookup([]byte(claimPool), uint32(claimElement.ID))
	require.NotNil(t, r.c.binding(e), "the session stays bound")
	require.Nil(t, r.c.member(e), "on standby")
	_, armed := r.c.hs.Deadline(e, handlespace.KeepAlive)
	require.False(t, armed, "no keep-alive on standby")

	r.update(wire.DelPE)
	require.Equal(t, wire.ServerID(4), r.owner(), "home again")
	ups := updates(t, r.sent())
	require.Len(t, ups, 1)
	require.Equal(t, wire.AddPE, ups[0].Action)
	require.Equal(t, wire.ServerID(4), ups[0].Element.HomeServer)
	at, armed := r.c.hs.Deadline(e, handlespace.KeepAlive)
	require.True(t, armed && !at.After(r.now), "keep-alive due at once, armed %v at %v", armed, at)
	require.Equal(t, uint64(1), r.c.enrp.stats.Reclaimed)
}

// TestClaimStandbyEnds: when the standby session ends, the element stays
// with its owner; with no session here, the owner's DelPE removes it.
func TestClaimStandbyEnds(t *testing.T) {
	r := newClaimRig(t, 4, 3)
	r.register()
	r.update(wire.AddPE)
	r.c.endSession(r.sess, r.now)
	require.Equal(t, wire.ServerID(3), r.owner(), "the element outlives the standby session")
	require.Equal(t, 0, r.c.members.Len())

	r.update(wire.DelPE)
	require.Zero(t, r.owner(), "removed by its owner's DelPE")
}

// TestClaimHomeKeepAliveOnlyYields: a session the element was only sent a
// Keep-Alive with the Home flag on does not keep it against any claim.
func TestClaimHomeKeepAliveOnlyYields(t *testing.T) {
	r := newClaimRig(t, 3, 4)
	r.register()
	e := r.c.hs.Lookup([]byte(claimPool), uint32(claimElement.ID))
	r.c.binding(e).registered = false // as sendHome binds it
	r.sent()
	r.update(wire.AddPE)
	require.Equal(t, wire.ServerID(4), r.owner())
	require.Empty(t, updates(t, r.sent()))
}

// TestClaimCrossingConverges runs two registrars that both hold a live
// registration of the element and whose Handle Updates cross, passing
// their messages until none is left: they agree on the lower ID after at
// most one answer, whichever order the messages come in.
func TestClaimCrossingConverges(t *testing.T) {
	for _, lowFirst := range []bool{true, false} {
		low, high := newClaimRig(t, 3, 4), newClaimRig(t, 4, 3)
		low.register()
		high.register()
		n := 0
		for round := 0; ; round++ {
			require.Less(t, round, 10, "still exchanging updates")
			toHigh, toLow := low.sent(), high.sent()
			if len(toHigh)+len(toLow) == 0 {
				break
			}
			n += len(updates(t, toHigh)) + len(updates(t, toLow))
			deliver := func(r *claimRig, msgs [][]byte) {
				for _, m := range msgs {
					r.receive(m)
				}
			}
			if lowFirst {
				deliver(low, toLow)
				deliver(high, toHigh)
			} else {
				deliver(high, toHigh)
				deliver(low, toLow)
			}
		}
		require.Equal(t, wire.ServerID(3), low.owner())
		require.Equal(t, wire.ServerID(3), high.owner())
		require.LessOrEqual(t, n, 3, "Handle Updates: the two registrations and one answer")
	}
}
