// Package simstack puts stack endpoints on simulated hosts (package
// simnet), waits for what they report and checks the traffic between
// them (numbered messages, each once, in order and intact): the
// scaffolding that the tests of the stack's users (ASAP, mobility, the
// scenario fuzzers) and the simulated demos share, so that each builds
// its world from the same pieces. The stack's own tests cannot import it
// (it imports the stack) and keep their harness.
package simstack

import (
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack"
)

// Config is an endpoint at addr on h whose SCTP and UDP ports are both
// port (0: ephemeral). Its timers are short (RTO 100 ms to 400 ms) so
// that a simulated world notices a lost peer within a second or so of
// virtual time, and it sends small messages at once (NoDelay), as the
// request/response protocols above the stack do. Callers add what their
// world needs, such as AddressHold or retransmission limits.
func Config(h *simnet.Host, addr netip.Addr, port uint16) stack.Config {
	return stack.Config{
		LocalAddrs: []netip.Addr{addr},
		Port:       port,
		PacketConn: PacketConn(h, port),
		RTOInitial: 100 * time.Millisecond,
		RTOMin:     100 * time.Millisecond,
		RTOMax:     400 * time.Millisecond,
		NoDelay:    true,
	}
}

// PacketConn opens the endpoint's UDP socket on h at port (0:
// ephemeral), for stack.Config.PacketConn.
func PacketConn(h *simnet.Host, port uint16) func(encap.Handler) (stack.PacketConn, error) {
	return func(hd encap.Handler) (stack.PacketConn, error) { return h.Open(int(port), hd) }
}

// Failer is the part of testing.TB that Await needs; an interface, so
// that the demos can link this package without the testing package.
type Failer interface {
	Helper()
	Fatalf(format string, args ...any)
}

// Await returns the first value from ch that match accepts, failing t if
// ch closes first or none comes within limit (virtual time inside a
// synctest bubble). what names the awaited value in the failure.
func Await[E any](t Failer, ch <-chan E, limit time.Duration, what string, match func(E) bool) E {
	t.Helper()
	timeout := time.NewTimer(limit)
	defer timeout.Stop()
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("closed before %s", what)
				return e
			}
			if match(e) {
				return e
			}
		case <-timeout.C:
			t.Fatalf("no %s within %v", what, limit)
			var zero E
			return zero
		}
	}
}
