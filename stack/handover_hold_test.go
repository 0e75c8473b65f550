package stack

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
)

// holdCfg has short timers: without a hold, a peer that is gone is given
// up within about ten seconds.
func holdCfg(hold time.Duration) Config {
	return Config{
		RTOInitial: 200 * time.Millisecond, RTOMin: 200 * time.Millisecond, RTOMax: 2 * time.Second,
		AssocMaxRetrans: 4, HandoverHold: hold,
	}
}

// serverGone connects a client and a server (AutoASCONF) with cfg, takes
// the server's address away after one second while the client sends one
// message per millisecond, and gives it a new one after gap unless gap is
// zero. It returns the client's association, the number of messages the
// server received in order, and when the client's association ended (zero
// if it did not).
func serverGone(t *testing.T, cfg Config, gap time.Duration, msgs int) (ca *Association, got int, ended time.Time, events func(EventType) []Event) {
	n := simnet.New(43)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
	hc, hs := n.AddHost("client", cli1), n.AddHost("server", srv1)
	scfg := cfg
	scfg.AutoASCONF, scfg.AutoSetPrimary, scfg.AddressWatcher = true, true, hs.Watch()
	srv := simEndpoint(t, hs, scfg, true)
	cli := simEndpoint(t, hc, cfg, false)
	ca, sa := connect(t, cli, srv, srv1)
	events = eventTimes(ca)
	moved := make(chan struct{})
	go func() {
		defer close(moved)
		time.Sleep(time.Second)
		hs.RemoveAddr(srv1)
		if gap > 0 {
			time.Sleep(gap)
			hs.AddAddr(moveAddr)
		}
	}()
	defer func() { <-moved }()
	received := make(chan int, 1)
	go func() { received <- inOrder(sa, msgs) }()
	for i := range msgs {
		if ca.SendMsg(context.Background(), payload(i, 200), SendInfo{}) != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-ca.Done():
		ended = time.Now()
		sa.Abort("test over")
	case <-time.After(time.Minute):
	}
	return ca, <-received, ended, events
}

// inOrder receives up to n paced messages at a and returns how many
// arrived intact and in order before an error.
func inOrder(a *Association, n int) int {
	buf := make([]byte, 1000)
	for i := range n {
		k, _, err := a.RecvMsg(context.Background(), buf)
		if err != nil || string(buf[:k]) != string(payload(i, 200)) {
			return i
		}
	}
	return n
}

// TestHandoverHold: the server is gone for 20 s, far longer than the
// client's error limits allow. With the handover hold the client keeps the
// association and its data, and everything arrives once the server's new
// address is known; without it (the default without AutoASCONF) the
// client gives up.
func TestHandoverHold(t *testing.T) {
	const msgs = 25000
	synctest.Test(t, func(t *testing.T) {
		ca, got, ended, events := serverGone(t, holdCfg(DefaultHandoverHold), 20*time.Second, msgs)
		if got != msgs || !ended.IsZero() {
			t.Errorf("with the hold: %d of %d messages arrived, association ended %v (%v)\n%+v", got, msgs, ended, ca.Err(), ca.Stats())
		}
		synctest.Wait()
		if h, r := events(EventHandoverHold), events(EventHandoverResumed); len(h) != 1 || len(r) != 1 {
			t.Errorf("hold events %v, resumed %v; want one each", h, r)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		ca, _, ended, _ := serverGone(t, holdCfg(0), 20*time.Second, msgs)
		if ended.IsZero() || !errors.Is(ca.Err(), ErrCommunicationLost) {
			t.Errorf("without the hold the association should be lost; ended %v with %v", ended, ca.Err())
		}
	})
}

// TestHandoverHoldExpires: when no new path comes, the association ends
// HandoverHold later than it would without the hold (within a round trip:
// the runs differ in their random tags and timing).
func TestHandoverHoldExpires(t *testing.T) {
	var ends []time.Duration
	for _, hold := range []time.Duration{0, 5 * time.Second} {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			ca, _, ended, _ := serverGone(t, holdCfg(hold), 0, 5000)
			if ended.IsZero() || !errors.Is(ca.Err(), ErrCommunicationLost) {
				t.Fatalf("hold %v: ended %v with %v, want ErrCommunicationLost", hold, ended, ca.Err())
			}
			ends = append(ends, ended.Sub(start))
		})
	}
	if len(ends) != 2 {
		return
	}
	if d := ends[1] - ends[0] - 5*time.Second; d < -2*oneWay || d > 2*oneWay {
		t.Errorf("lost after %v without the hold and %v with a 5 s hold, want 5 s apart (within a round trip)", ends[0], ends[1])
	}
}

// TestHandoverHoldDefault: a mobile endpoint (AutoASCONF) holds for
// DefaultHandoverHold unless told otherwise; any other notices a dead peer
// at the RFC's limits, as RSerPool failover expects.
func TestHandoverHoldDefault(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want time.Duration
	}{
		{Config{AutoASCONF: true}, DefaultHandoverHold},
		{Config{AutoASCONF: true, HandoverHold: time.Second}, time.Second},
		{Config{AutoASCONF: true, HandoverHold: -1}, -1},
		{Config{}, 0},
	} {
		if got := tc.cfg.withDefaults().HandoverHold; got != tc.want {
			t.Errorf("%+v: HandoverHold %v, want %v", tc.cfg, got, tc.want)
		}
	}
}
