package stack

import (
	"errors"
	"net/netip"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
)

// refusingConn is a simulated host's transport whose OS refuses, once
// told to, every send to one address with "network unreachable".
type refusingConn struct {
	PacketConn
	refuse atomic.Pointer[netip.Addr]
}

func (c *refusingConn) SendBatch(ds []encap.Datagram) error {
	bad := c.refuse.Load()
	var errs []error
	keep := ds[:0:0]
	for _, d := range ds {
		if bad != nil && d.Remote.Addr() == *bad {
			errs = append(errs, &encap.SendError{Local: d.Local, Remote: d.Remote, Err: syscall.ENETUNREACH})
			continue
		}
		keep = append(keep, d)
	}
	if len(keep) > 0 {
		errs = append(errs, c.PacketConn.SendBatch(keep))
	}
	return errors.Join(errs...)
}

// TestRefusedSendIsPathEvent makes the client's OS refuse every send to
// the server's first address during a transfer. The path must become
// potentially failed at the first refused packet, before any
// retransmission timeout, and the data that never left must go to the
// other path at once and arrive complete.
func TestRefusedSendIsPathEvent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(41)
		t.Cleanup(n.Close)
		n.SetDefault(simnet.LinkProps{Delay: oneWay})
		hc, hs := n.AddHost("client", cli1, cli2), n.AddHost("server", srv1, srv2)
		cfg := failoverCfg
		cfg.RTOMin, cfg.RTOInitial = time.Second, time.Second // a timeout would take a second
		srv := simEndpoint(t, hs, Config{Port: 5000}, true)
		rc := &refusingConn{}
		cfg.LocalAddrs = hc.Addrs()
		cfg.PacketConn = func(h encap.Handler) (PacketConn, error) {
			c, err := hc.Open(int(DefaultUDPPort), h)
			rc.PacketConn = c
			return rc, err
		}
		cli, err := NewEndpoint(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cli.Close() })
		ca, sa := connect(t, cli, srv, srv1)
		time.Sleep(time.Second) // the second path is confirmed
		events := eventTimes(ca)
		go func() {
			time.Sleep(500 * time.Millisecond)
			rc.refuse.Store(&srv1)
		}()
		transfer(t, ca, sa, load{bytes: 200 * 1000, size: 1000, gap: 10 * time.Millisecond})
		synctest.Wait()

		pf := events(EventPathPotentiallyFailed)
		if len(pf) == 0 || pf[0].Addr.Addr() != srv1 {
			t.Fatalf("potentially-failed events %v, want one for %v", pf, srv1)
		}
		if st := ca.Stats(); st.SendsRefused == 0 || st.T3Expirations != 0 {
			t.Errorf("%d refused sends counted, %d T3 expirations; want some and none", st.SendsRefused, st.T3Expirations)
		}
	})
}
