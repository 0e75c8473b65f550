// Package simnet is a deterministic simulated UDP network for tests that run
// inside testing/synctest bubbles, where time is virtual.
//
// A Network connects Hosts, each owning a set of IP addresses that may change
// while the test runs (mobility). A Host opens Conns, the simulated
// counterpart of an encap.Transport with the same methods and errors: one UDP
// port bound on several of the host's addresses, a handler that receives
// datagrams in batches, and batched sends. Every direction between two
// addresses is a link with its own behaviour (LinkProps): delay, jitter,
// loss, duplication, reordering, a serialization rate with a drop-tail
// queue, or a broken link.
//
// The simulation is deterministic: the fate of a datagram depends only on the
// seed, the link's settings and the datagrams sent before it on the same flow
// (source and destination address and port), not on traffic of other flows,
// except through the queue of a rate-limited link, which they share.
//
// One scheduler goroutine holds every datagram in flight in a heap ordered by
// arrival time and sending order, and sleeps on one timer until the earliest
// is due; each Conn's reader goroutine passes arrived datagrams to its
// handler. Both block only on channels and timers between datagrams, so in a
// bubble they let virtual time advance, and a handler runs at the exact
// virtual instant its datagrams arrive.
//
// A Network must be created in the bubble that uses it, as its timer and
// channels belong to the bubble they are made in, and closed before the
// bubble ends, or its goroutines outlive the test:
//
//	synctest.Test(t, func(t *testing.T) {
//		n := simnet.New(1)
//		t.Cleanup(n.Close)
//		n.SetDefault(simnet.LinkProps{Delay: 10 * time.Millisecond, Loss: 0.01})
//		a := n.AddHost("a", netip.MustParseAddr("10.0.0.1"))
//		...
//	})
package simnet
