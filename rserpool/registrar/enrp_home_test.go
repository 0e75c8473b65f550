package registrar

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHomeClaimKeepsElementsAssociation: a registrar that claims the home
// of an element that has an association with it already (the element
// registered there while the claim was under way) gets no second one
// (stack.Endpoint.Dial refuses it): a second association would restart
// the element's, leaving the session the
// element registered over with dead tags, so that its keep-alive times
// out and the live element is removed.
func TestHomeClaimKeepsElementsAssociation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		r := pn.start(1)
		fe := pn.element(1, "pool", 1)
		c := r.core
		c.mu.Lock()
		c.claimHome(wire.PoolHandle(fe.handle), fe.pe.ID, &fe.pe.UserTransport)
		c.mu.Unlock()

		time.Sleep(2 * (DefaultKeepAliveInterval + DefaultKeepAliveTimeout))
		require.Len(t, ownerView(r), 1, "the live element is still registered")
		require.Zero(t, r.Stats().Removals.KeepAliveTimeout, "removals by keep-alive timeout")
		require.Empty(t, fe.homeKeepAlives(), "no Keep-Alive with the Home flag over a second association")
	})
}

// TestMutualPeersKeepOneLink: two registrars that each list the other as
// a peer end up with one association between their ENRP endpoints: the
// one that the other dialed first does not set up a second, which the
// other would take as a restart of the link; it learns the peer on the
// link from Dial's refusal and stops dialing while that link lives.
func TestMutualPeersKeepOneLink(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		r1 := pn.start(1, 2)
		// Registrar 2 comes up while 1 pauses after its first dial timed
		// out, so that 2 dials first and 1 finds 2's association when it
		// dials again.
		time.Sleep(sendTimeout + DefaultPeerRedial/4)
		r2 := pn.start(2, 1)
		time.Sleep(3 * DefaultPeerRedial)
		l1, l2 := linkTo(r1, 2), linkTo(r2, 1)
		require.NotNil(t, l1)
		require.NotNil(t, l2)
		assert.False(t, l1.dialed, "registrar 1 set up a second association")
		assert.True(t, l2.dialed)
		time.Sleep(20 * DefaultPeerRedial)
		assert.Same(t, l1, linkTo(r1, 2), "registrar 1's link")
		assert.Same(t, l2, linkTo(r2, 1), "registrar 2's link")
		for _, l := range []*link{l1, l2} {
			select {
			case <-l.a.Done():
				t.Errorf("a link association ended: %v", l.a.Err())
			default:
			}
		}
		assert.Equal(t, 1, r1.ENRPStats().Links)
		assert.Equal(t, 1, r2.ENRPStats().Links)
		assert.Zero(t, r1.ENRPStats().Superseded+r2.ENRPStats().Superseded, "messages on superseded links")
	})
}

// linkTo returns r's link with peer id, nil if it has none.
func linkTo(r *Registrar, id wire.ServerID) *link {
	c := r.core
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.enrp.links[id]
}
