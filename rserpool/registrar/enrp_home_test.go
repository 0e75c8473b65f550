package registrar

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/stretchr/testify/require"
)

// TestHomeClaimKeepsElementsAssociation: a registrar that claims the home
// of an element that has an association with it already (the element
// registered there while the claim was under way) does not dial it: a
// second association would restart the element's, leaving the session the
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
