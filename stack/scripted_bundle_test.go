package stack

// SACK bundling for request/response traffic: the SACK of a request rides
// in the packet of its answer (RFC 9260 sections 6.2 and 6.10), so that an
// exchange such as an ASAP handle resolution costs two packets, not four.

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// An endpoint that answers each request of the scripted peer sends one
// packet per answer, the SACK bundled ahead of the DATA. The answer's
// DATA asks for an immediate SACK only where the sender waits for one:
// with Nagle's rule on, not with NoDelay.
func TestSackBundledWithAnswer(t *testing.T) {
	cases := []struct {
		name      string
		noDelay   bool
		immediate bool // the answer's DATA has the I bit
	}{
		{"NoDelay", true, false},
		{"Nagle", false, true},
	}
	const rounds = 5
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := scriptedConfig()
				cfg.NoDelay = tc.noDelay
				r := newRig(t, cfg)
				a, s := r.connect()
				var ack []chunk // what the peer bundles ahead of its next request
				for i := range rounds {
					req := s.data(0, fmt.Sprint("request ", i), 0)
					r.peer.send(s.epTag, append(ack, req)...)
					if msg, err := recvString(t, a); err != nil || msg != fmt.Sprint("request ", i) {
						t.Fatalf("RecvMsg = %q, %v", msg, err)
					}
					sendString(t, a, fmt.Sprint("answer ", i))
					pk := r.peer.expect(s.tag, wire.TypeSack, wire.TypeData)
					if sk := chunkOf[wire.Sack](t, pk); sk.CumTSN != req.TSN {
						t.Errorf("round %d: SACK acknowledges %d, want %d", i, sk.CumTSN, req.TSN)
					}
					d := chunkOf[wire.Data](t, pk)
					if got := d.Flags.Has(wire.FlagImmediate); got != tc.immediate {
						t.Errorf("round %d: answer's I bit %v, want %v", i, got, tc.immediate)
					}
					ack = []chunk{sack(d.TSN)}
				}
				if st := a.Stats(); st.PacketsSent != rounds+1 { // the COOKIE ACK, then one per answer
					t.Errorf("%d packets sent, want %d", st.PacketsSent, rounds+1)
				}
			})
		})
	}
}

// Two NoDelay associations that exchange requests and answers, as a pool
// user and a registrar do, send two packets per exchange between them;
// the SACK of the last answer follows within SACKDelay.
func TestRequestResponsePackets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// No path MTU probes either: only requests, answers and SACKs count.
		cfg := Config{NoDelay: true, HeartbeatInterval: -1, PFThreshold: -1, PMTUFixed: true}
		_, user, server := simPair(t, 1, cfg, cfg)
		before := user.Stats().PacketsSent + server.Stats().PacketsSent
		const rounds = 20
		for i := range rounds {
			sendString(t, user, fmt.Sprint("resolve ", i))
			if _, err := recvString(t, server); err != nil {
				t.Fatal(err)
			}
			sendString(t, server, fmt.Sprint("answer ", i))
			if _, err := recvString(t, user); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		packets := func() uint64 { return user.Stats().PacketsSent + server.Stats().PacketsSent - before }
		if got := packets(); got != 2*rounds {
			t.Errorf("%d exchanges took %d packets, want %d", rounds, got, 2*rounds)
		}
		time.Sleep(DefaultSACKDelay) // virtual: the delayed SACK of the last answer is due
		synctest.Wait()
		if got := packets(); got != 2*rounds+1 {
			t.Errorf("%d packets after SACKDelay, want %d (the last answer's SACK)", got, 2*rounds+1)
		}
		if st := server.Stats(); st.Outstanding != 0 {
			t.Errorf("%d bytes outstanding at the server after SACKDelay", st.Outstanding)
		}
	})
}
