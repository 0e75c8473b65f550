package congestion

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const mtu = 1200

var _ Controller = (*Reno)(nil)

func TestInitialWindow(t *testing.T) {
	for _, tc := range []struct{ mtu, want int }{
		{500, 2000},  // 4*MTU is below 4404
		{1200, 4404}, // 4404 lies between 2*MTU and 4*MTU
		{1452, 4404}, //
		{2500, 5000}, // 2*MTU is above 4404
		{65507, 131014},
	} {
		assert.Equal(t, tc.want, InitialWindow(tc.mtu), "mtu %d", tc.mtu)
	}
	r := NewReno(mtu)
	assert.Equal(t, 4404, r.Window())
	assert.Equal(t, 1<<30, r.Threshold())
	assert.False(t, r.InRecovery())
}

func TestRenoGrowth(t *testing.T) {
	for _, tc := range []struct {
		name    string
		start   Reno
		limited bool
		ack     Ack
		want    Reno
	}{{
		name:  "slow start grows by the bytes acked",
		start: Reno{cwnd: 4800, ssthresh: 1 << 30},
		ack:   Ack{CumTSN: 10, CumAdvanced: true, Bytes: 1000, FlightBefore: 4800, FlightAfter: 3800, MTU: mtu},
		want:  Reno{cwnd: 5800, ssthresh: 1 << 30},
	}, {
		name:  "slow start grows by at most one MTU",
		start: Reno{cwnd: 4800, ssthresh: 1 << 30},
		ack:   Ack{CumTSN: 10, CumAdvanced: true, Bytes: 4800, FlightBefore: 4800, MTU: mtu},
		want:  Reno{cwnd: 6000, ssthresh: 1 << 30},
	}, {
		name:  "slow start does not grow a window that did not limit",
		start: Reno{cwnd: 4800, ssthresh: 1 << 30},
		ack:   Ack{CumTSN: 10, CumAdvanced: true, Bytes: 1000, FlightBefore: 2000, FlightAfter: 1000, MTU: mtu},
		want:  Reno{cwnd: 4800, ssthresh: 1 << 30},
	}, {
		name:    "a window the sender reported as limiting grows",
		start:   Reno{cwnd: 4800, ssthresh: 1 << 30},
		limited: true,
		ack:     Ack{CumTSN: 10, CumAdvanced: true, Bytes: 1000, FlightBefore: 2000, FlightAfter: 1000, MTU: mtu},
		want:    Reno{cwnd: 5800, ssthresh: 1 << 30},
	}, {
		name:  "no growth without a cumulative ack advance",
		start: Reno{cwnd: 4800, ssthresh: 1 << 30},
		ack:   Ack{CumTSN: 10, Bytes: 1000, FlightBefore: 4800, FlightAfter: 3800, MTU: mtu},
		want:  Reno{cwnd: 4800, ssthresh: 1 << 30},
	}, {
		name:  "slow start up to and including ssthresh",
		start: Reno{cwnd: 4800, ssthresh: 4800},
		ack:   Ack{CumTSN: 10, CumAdvanced: true, Bytes: 1200, FlightBefore: 4800, FlightAfter: 3600, MTU: mtu},
		want:  Reno{cwnd: 6000, ssthresh: 4800},
	}, {
		name:  "congestion avoidance collects partial bytes",
		start: Reno{cwnd: 6000, ssthresh: 4800, pba: 1000},
		ack:   Ack{CumTSN: 10, CumAdvanced: true, Bytes: 1200, FlightBefore: 6000, FlightAfter: 4800, MTU: mtu},
		want:  Reno{cwnd: 6000, ssthresh: 4800, pba: 2200},
	}, {
		name:  "congestion avoidance adds one MTU per window acked",
		start: Reno{cwnd: 6000, ssthresh: 4800, pba: 5000},
		ack:   Ack{CumTSN: 10, CumAdvanced: true, Bytes: 1200, FlightBefore: 6000, FlightAfter: 4800, MTU: mtu},
		want:  Reno{cwnd: 7200, ssthresh: 4800, pba: 200},
	}, {
		name:  "congestion avoidance keeps a window that did not limit",
		start: Reno{cwnd: 6000, ssthresh: 4800, pba: 5000},
		ack:   Ack{CumTSN: 10, CumAdvanced: true, Bytes: 1200, FlightBefore: 3000, FlightAfter: 1800, MTU: mtu},
		want:  Reno{cwnd: 6000, ssthresh: 4800, pba: 6200},
	}, {
		name:  "partial bytes go when nothing is in flight",
		start: Reno{cwnd: 6000, ssthresh: 4800, pba: 1000},
		ack:   Ack{CumTSN: 10, CumAdvanced: true, Bytes: 1200, FlightBefore: 1200, MTU: mtu},
		want:  Reno{cwnd: 6000, ssthresh: 4800},
	}, {
		name:  "no growth during fast recovery",
		start: Reno{cwnd: 4800, ssthresh: 4800, recovering: true, recoverTSN: 20},
		ack:   Ack{CumTSN: 19, CumAdvanced: true, Bytes: 1200, FlightBefore: 4800, FlightAfter: 3600, MTU: mtu},
		want:  Reno{cwnd: 4800, ssthresh: 4800, recovering: true, recoverTSN: 20},
	}, {
		name:  "recovery ends when its last TSN is acked, and that ack grows the window",
		start: Reno{cwnd: 4800, ssthresh: 4800, recovering: true, recoverTSN: 20},
		ack:   Ack{CumTSN: 20, CumAdvanced: true, Bytes: 1200, FlightBefore: 4800, FlightAfter: 3600, MTU: mtu},
		want:  Reno{cwnd: 6000, ssthresh: 4800, recoverTSN: 20},
	}, {
		name:  "recovery ends across TSN wrap-around",
		start: Reno{cwnd: 4800, ssthresh: 4800, recovering: true, recoverTSN: 0xfffffffe},
		ack:   Ack{CumTSN: 3, Bytes: 0, FlightBefore: 4800, FlightAfter: 4800, MTU: mtu},
		want:  Reno{cwnd: 4800, ssthresh: 4800, recoverTSN: 0xfffffffe},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.start
			if tc.limited {
				r.Limited()
			}
			r.OnAck(tc.ack)
			assert.Equal(t, tc.want, r)
		})
	}
}

func TestRenoLimitedLastsUntilGrowth(t *testing.T) {
	r := Reno{cwnd: 4800, ssthresh: 1 << 30}
	r.Limited()
	r.OnAck(Ack{CumTSN: 1, Bytes: 1000, FlightBefore: 1000, MTU: mtu}) // no advance: kept
	r.OnAck(Ack{CumTSN: 2, CumAdvanced: true, Bytes: 1000, FlightBefore: 1000, MTU: mtu})
	require.Equal(t, 5800, r.Window())
	r.OnAck(Ack{CumTSN: 3, CumAdvanced: true, Bytes: 1000, FlightBefore: 1000, MTU: mtu})
	assert.Equal(t, 5800, r.Window(), "the report was used up by the first increase")
}

func TestRenoFastRetransmit(t *testing.T) {
	r := Reno{cwnd: 20000, ssthresh: 1 << 30, pba: 700}
	require.True(t, r.OnFastRetransmit(mtu, 50))
	assert.Equal(t, Reno{cwnd: 10000, ssthresh: 10000, recovering: true, recoverTSN: 50}, r)
	assert.True(t, r.InRecovery())

	// A second loss in the same recovery changes nothing.
	require.False(t, r.OnFastRetransmit(mtu, 60))
	assert.Equal(t, Reno{cwnd: 10000, ssthresh: 10000, recovering: true, recoverTSN: 50}, r)

	// After it, the next loss cuts again, to no less than 4 MTU.
	r.OnAck(Ack{CumTSN: 50, MTU: mtu, FlightBefore: 1})
	require.False(t, r.InRecovery())
	require.True(t, r.OnFastRetransmit(mtu, 70))
	assert.Equal(t, Reno{cwnd: 5000, ssthresh: 5000, recovering: true, recoverTSN: 70}, r)
	r.recovering = false
	require.True(t, r.OnFastRetransmit(mtu, 80))
	assert.Equal(t, 4*mtu, r.Window())
	assert.Equal(t, 4*mtu, r.Threshold())
}

func TestRenoTimeout(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start Reno
		want  Reno
	}{{
		name:  "half the window becomes ssthresh, one MTU the window",
		start: Reno{cwnd: 20000, ssthresh: 1 << 30, pba: 900},
		want:  Reno{cwnd: mtu, ssthresh: 10000},
	}, {
		name:  "ssthresh no lower than 4 MTU",
		start: Reno{cwnd: 3000, ssthresh: 1 << 30},
		want:  Reno{cwnd: mtu, ssthresh: 4 * mtu},
	}, {
		name:  "a timeout ends the recovery",
		start: Reno{cwnd: 10000, ssthresh: 10000, recovering: true, recoverTSN: 9},
		want:  Reno{cwnd: mtu, ssthresh: 5000, recoverTSN: 9},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.start
			r.OnTimeout(mtu)
			assert.Equal(t, tc.want, r)
		})
	}
}

func TestRenoMTURaised(t *testing.T) {
	r := NewReno(1220)
	r.OnMTURaised(65504)
	assert.Equal(t, InitialWindow(65504), r.Window(), "room for two packets of the new size")
	r.OnMTURaised(1472)
	assert.Equal(t, InitialWindow(65504), r.Window(), "never shrinks")

	lost := NewReno(1220)
	lost.OnTimeout(1220)
	lost.OnMTURaised(65504)
	assert.Equal(t, 1220, lost.Window(), "after a loss the window stays what recovery made it")
}
