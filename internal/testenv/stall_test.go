package testenv

import (
	"testing"
	"time"
)

// Within counts only the part of each stall inside the interval asked.
func TestStallMeterWithin(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	m := &StallMeter{stalls: []span{{at(10), at(20)}, {at(50), at(100)}}}
	for _, c := range []struct {
		from, to int
		want     time.Duration
	}{
		{0, 5, 0},
		{0, 200, 60 * time.Millisecond},
		{15, 60, 15 * time.Millisecond},
		{60, 70, 10 * time.Millisecond},
		{20, 50, 0},
	} {
		if got := m.Within(at(c.from), at(c.to)); got != c.want {
			t.Errorf("Within(%d ms, %d ms) = %v, want %v", c.from, c.to, got, c.want)
		}
	}
	if got := m.Total(); got != 60*time.Millisecond {
		t.Errorf("Total = %v, want 60ms", got)
	}
	var none *StallMeter
	if got := none.Within(at(0), at(100)); got != 0 {
		t.Errorf("nil meter: %v", got)
	}
}
