package measure

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCounter(t *testing.T) {
	var c Counter
	if c.Started() {
		t.Error("a new Counter has started")
	}
	c.Add(1, 1000)
	c.Add(63, 63000)
	r := c.Result("server")
	if !c.Started() || r.Role != "server" || r.Messages != 64 || r.Bytes != 64000 || r.Seconds < 0 {
		t.Errorf("Result = %+v", r)
	}
}

// TestSendForStopsOnError checks the counting, not the timing: the
// duration is far longer than the test.
func TestSendForStopsOnError(t *testing.T) {
	errBroken := errors.New("broken")
	calls := 0
	r, err := SendFor(time.Hour, 100, func(context.Context) (int, error) {
		calls++
		if calls == 3 {
			return 5, errBroken
		}
		return 64, nil
	})
	if !errors.Is(err, errBroken) {
		t.Errorf("err = %v, want %v", err, errBroken)
	}
	if r.Role != "client" || r.Messages != 64+64+5 || r.Bytes != 100*(64+64+5) {
		t.Errorf("Result = %+v", r)
	}
}
