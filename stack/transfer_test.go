package stack

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

func TestTransferClean(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n, ca, sa := simPair(t, 1, Config{}, Config{})
		n.SetDefault(simnet.LinkProps{Delay: 5 * time.Millisecond})
		transfer(t, ca, sa, load{bytes: 4 << 20, size: 1000, streams: 3})
		s := ca.Stats()
		if s.Retransmissions != 0 {
			t.Errorf("%d retransmissions on a clean link", s.Retransmissions)
		}
	})
}

func TestTransferImpaired(t *testing.T) {
	cases := []struct {
		name  string
		props simnet.LinkProps
	}{
		{"loss1", simnet.LinkProps{Delay: 10 * time.Millisecond, Loss: 0.01}},
		{"loss5", simnet.LinkProps{Delay: 10 * time.Millisecond, Loss: 0.05}},
		{"loss20", simnet.LinkProps{Delay: 10 * time.Millisecond, Loss: 0.20}},
		{"duplicate", simnet.LinkProps{Delay: 10 * time.Millisecond, Duplicate: 0.05}},
		{"reorder", simnet.LinkProps{Delay: 10 * time.Millisecond, Reorder: 0.05, ReorderDelay: 3 * time.Millisecond}},
		{"jitter", simnet.LinkProps{Delay: 10 * time.Millisecond, Jitter: 5 * time.Millisecond}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// At 20% loss each way, ten timeouts in a row happen now
				// and then; this test is about integrity, not about when
				// to give up on a peer.
				lenient := Config{AssocMaxRetrans: 40, PathMaxRetrans: 40}
				n, ca, sa := simPair(t, 7, lenient, lenient)
				n.SetDefault(tc.props)
				start := time.Now()
				transfer(t, ca, sa, load{bytes: 64 << 20, size: 1000, streams: 2})
				s := ca.Stats()
				t.Logf("virtual %v, retransmissions %d fast %d T3 %d", time.Since(start), s.Retransmissions, s.FastRetransmits, s.T3Expirations)
			})
		})
	}
}

// TestTransferVariants covers the data-path options over a lossy link:
// unordered delivery, fragmentation of large messages, DATA instead of
// I-DATA, many streams, and payloads sent from the send ring in pieces:
// jumbo packets on a fixed PMTU (with the search on, chunks keep to the
// base size, too small for pieces), one case with every I-DATA chunk
// authenticated; with messages of one chunk each, the packets' CRCs
// combine the CRCs SendMsg computed of them, first sends and
// retransmissions alike, and the peer finds none wrong.
func TestTransferVariants(t *testing.T) {
	lossy := simnet.LinkProps{Delay: 5 * time.Millisecond, Loss: 0.03, Jitter: time.Millisecond}
	jumbo := Config{PMTU: 9000, PMTUFixed: true, DisableIData: true}
	authData := Config{PMTU: 9000, PMTUFixed: true, AuthChunks: []wire.ChunkType{wire.TypeIData}}
	cases := []struct {
		name string
		cfg  Config
		l    load
		srv  Config
	}{
		{"unordered", Config{}, load{bytes: 2 << 20, size: 700, streams: 4, unordered: true}, Config{}},
		{"fragmented I-DATA", Config{}, load{bytes: 4 << 20, size: 100000, streams: 3}, Config{}},
		{"fragmented DATA", Config{DisableIData: true}, load{bytes: 4 << 20, size: 100000, streams: 3}, Config{}},
		{"small messages DATA", Config{DisableIData: true}, load{bytes: 1 << 20, size: 37, streams: 16}, Config{}},
		{"unordered fragmented DATA", Config{DisableIData: true}, load{bytes: 2 << 20, size: 5000, streams: 2, unordered: true}, Config{}},
		{"jumbo DATA in pieces", jumbo, load{bytes: 8 << 20, size: 30001, streams: 2}, jumbo},
		{"jumbo I-DATA in pieces, AUTH", authData, load{bytes: 8 << 20, size: 100000, streams: 2}, authData},
		{"jumbo whole DATA in pieces", jumbo, load{bytes: 8 << 20, size: 8000, streams: 2}, jumbo},
		{"jumbo whole I-DATA in pieces, AUTH", authData, load{bytes: 8 << 20, size: minPiece, streams: 2}, authData},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n, ca, sa := simPair(t, 3, tc.cfg, tc.srv)
				n.SetDefault(lossy)
				transfer(t, ca, sa, tc.l)
				s := ca.Stats()
				if s.IData == tc.cfg.DisableIData {
					t.Errorf("I-DATA in use %v, want %v", s.IData, !tc.cfg.DisableIData)
				}
				if mtu := s.Paths[0].MTU; tc.cfg.PMTU > 0 && mtu < minPiece+64 { // 64: the headers
					t.Errorf("path MTU %d: no room for a payload that goes in pieces", mtu)
				}
				if bad := sa.ep.Stats().BadChecksum; bad != 0 {
					t.Errorf("the peer dropped %d packets with a wrong CRC32c", bad)
				}
			})
		})
	}
}

// TestPRSCTPLifetime breaks the link while messages with a short lifetime
// are queued: they are abandoned and reported, the peer skips them through
// FORWARD-TSN, and the association carries on with reliable messages.
func TestPRSCTPLifetime(t *testing.T) {
	for _, idata := range []bool{false, true} {
		t.Run(map[bool]string{false: "DATA", true: "I-DATA"}[idata], func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n, ca, sa := simPair(t, 5, Config{DisableIData: !idata}, Config{})
				n.SetDefault(simnet.LinkProps{Delay: 5 * time.Millisecond})
				ctx := context.Background()
				n.SetDown(addrA, addrB, true)
				for i := range 20 {
					if err := ca.SendMsg(ctx, payload(i, 500), SendInfo{Stream: uint16(i % 2), Lifetime: 100 * time.Millisecond}); err != nil {
						t.Fatal(err)
					}
				}
				time.Sleep(2 * time.Second)
				n.SetDown(addrA, addrB, false)
				if err := ca.SendMsg(ctx, []byte("reliable"), SendInfo{Stream: 0, PPID: 7}); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, 1000)
				for {
					k, info, err := sa.RecvMsg(ctx, buf)
					if err != nil {
						t.Fatal(err)
					}
					if info.PPID == 7 {
						if string(buf[:k]) != "reliable" {
							t.Fatalf("got %q", buf[:k])
						}
						break
					}
				}
				s := ca.Stats()
				if s.MessagesAbandoned == 0 || s.ForwardTSNsSent == 0 {
					t.Errorf("abandoned %d, FORWARD-TSNs %d; want both > 0", s.MessagesAbandoned, s.ForwardTSNsSent)
				}
				failed := 0
				for len(ca.Events()) > 0 {
					if e := <-ca.Events(); e.Type == EventSendFailed && errors.Is(e.Err, ErrLifetimeExpired) {
						failed++
					}
				}
				if failed == 0 {
					t.Error("no send-failed event for the abandoned messages")
				}
			})
		})
	}
}
