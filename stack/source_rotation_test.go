package stack

import (
	"context"
	"encoding/binary"
	"errors"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestSourceRotation gives the server five addresses. Mid-transfer, four
// of them stop passing anything to or from the client (they stay
// configured), including the one every path of the server started from.
// The server's heartbeats must find the one source that still works, at
// most maxSourceProbes alternatives per heartbeat round, and keep it: the
// transfer completes with equal digests, the shutdown is clean, and the
// server's path table shows the working source.
func TestSourceRotation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(31)
		t.Cleanup(n.Close)
		n.SetDefault(simnet.LinkProps{Delay: oneWay})
		extra := []netip.Addr{netip.MustParseAddr("192.0.2.10"), netip.MustParseAddr("192.0.2.11"),
			netip.MustParseAddr("192.0.2.12"), netip.MustParseAddr("192.0.2.13")}
		good := extra[3]
		hc := n.AddHost("client", cli1)
		hs := n.AddHost("server", append([]netip.Addr{srv1}, extra...)...)
		probes := watchServerHeartbeats(n, cli1)
		cfg := failoverCfg
		cfg.AssocMaxRetrans = 20 // the client tries dead server addresses one by one
		srv := simEndpoint(t, hs, Config{Port: 5000, RTOInitial: cfg.RTOInitial, RTOMin: cfg.RTOMin, RTOMax: cfg.RTOMax,
			HeartbeatInterval: cfg.HeartbeatInterval, AssocMaxRetrans: cfg.AssocMaxRetrans}, true)
		cli := simEndpoint(t, hc, cfg, false)
		ca, sa := connect(t, cli, srv, srv1)
		time.Sleep(time.Second) // the client's heartbeats confirm every server address
		if p := sa.Paths(); len(p) != 1 || p[0].Local != srv1 {
			t.Fatalf("server paths before the failure: %+v, want one from %v", p, srv1)
		}
		go func() {
			time.Sleep(500 * time.Millisecond)
			for _, dead := range []netip.Addr{srv1, extra[0], extra[1], extra[2]} {
				n.SetDown(cli1, dead, true)
			}
		}()
		transfer(t, ca, sa, load{bytes: 400 * 1000, size: 1000, gap: 20 * time.Millisecond})
		synctest.Wait()

		p := sa.Paths()
		if len(p) != 1 || p[0].Local != good {
			t.Errorf("server paths after the failure: %+v, want the one answering from %v", p, good)
		}
		st := sa.Stats()
		if st.SourceChanges != 1 {
			t.Errorf("%d source changes, want 1", st.SourceChanges)
		}
		if st.SourceProbes == 0 || st.SourceProbes > maxSourceProbes*st.HeartbeatsSent {
			t.Errorf("%d source probes for %d heartbeats", st.SourceProbes, st.HeartbeatsSent)
		}
		for nonce, srcs := range probes.rounds() {
			if len(srcs) > 1+maxSourceProbes {
				t.Errorf("heartbeat round %x went from %d sources %v, at most %d allowed", nonce, len(srcs), srcs, 1+maxSourceProbes)
			}
		}
	})
}

// heartbeatRounds records, per heartbeat nonce, the sources a host's
// heartbeats to one destination left from.
type heartbeatRounds struct {
	mu sync.Mutex
	by map[uint64][]netip.Addr
}

func (h *heartbeatRounds) rounds() map[uint64][]netip.Addr {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.by
}

func watchServerHeartbeats(n *simnet.Network, to netip.Addr) *heartbeatRounds {
	h := &heartbeatRounds{by: map[uint64][]netip.Addr{}}
	n.OnPacket(func(_ time.Time, src, dst netip.AddrPort, data []byte, _ simnet.Fate) {
		if dst.Addr() != to {
			return
		}
		it := wire.Packet(data).Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			var hb wire.Heartbeat
			if c.Type() != wire.TypeHeartbeat || hb.Decode(c) != nil || len(hb.Info) != hbInfoLen {
				continue
			}
			h.mu.Lock()
			nonce := binary.BigEndian.Uint64(hb.Info)
			h.by[nonce] = append(h.by[nonce], src.Addr())
			h.mu.Unlock()
		}
	})
	return h
}

// TestDialErrorSaysWhatWasTried dials an address where nothing answers:
// Retrying reports every INIT retransmission, and the error names the
// peer, our addresses and the INITs sent, for both ways Dial gives up.
func TestDialErrorSaysWhatWasTried(t *testing.T) {
	nobody := netip.MustParseAddr("203.0.113.99")
	for _, tc := range []struct {
		name    string
		timeout time.Duration
		want    error
		inits   int
	}{
		{"retransmissions run out", time.Hour, ErrHandshakeTimeout, 1 + 3},
		{"context ends", 2500 * time.Millisecond, context.DeadlineExceeded, 2}, // at 0 and 1 s; the next would go at 3 s
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := simnet.New(5)
				t.Cleanup(n.Close)
				cli := simEndpoint(t, n.AddHost("client", cli1), Config{MaxInitRetrans: 3}, false)
				var retries []int
				ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
				defer cancel()
				_, err := cli.Dial(ctx, Remote{Addrs: []netip.Addr{nobody}, Port: 5001,
					Retrying: func(to netip.AddrPort, sent int) {
						if to.Addr() != nobody {
							t.Errorf("retrying toward %v", to)
						}
						retries = append(retries, sent)
					}})
				var de *DialError
				if !errors.As(err, &de) || !errors.Is(err, tc.want) {
					t.Fatalf("Dial returned %v, want a DialError wrapping %v", err, tc.want)
				}
				if de.Inits != tc.inits || len(retries) != tc.inits-1 {
					t.Errorf("%d INITs, %d retry reports %v; want %d INITs", de.Inits, len(retries), retries, tc.inits)
				}
				for _, s := range []string{nobody.String() + ":5001 (UDP 9899)", cli1.String()} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error %q does not name %s", err, s)
					}
				}
			})
		})
	}
}
