package stack

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
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
				n, ca, sa := simPair(t, 7, Config{}, Config{})
				n.SetDefault(tc.props)
				start := time.Now()
				transfer(t, ca, sa, load{bytes: 8 << 20, size: 1000, streams: 2})
				s := ca.Stats()
				t.Logf("virtual %v, retransmissions %d fast %d T3 %d", time.Since(start), s.Retransmissions, s.FastRetransmits, s.T3Expirations)
			})
		})
	}
}
