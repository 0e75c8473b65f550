package fuzz

import (
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// realTimeLimit bounds the real time of one scenario. A scenario takes a
// few hundred milliseconds of CPU; the limit is far above that so that a
// loaded machine does not trip it, and still ends a livelock (a loop that
// keeps virtual time from advancing, or advances it in tiny steps forever)
// long before the fuzzing engine or the test binary's timeout would.
const realTimeLimit = time.Minute

// progress says what a scenario is doing, for the hang report.
type progress struct{ v atomic.Value }

func (p *progress) set(format string, args ...any) { p.v.Store(fmt.Sprintf(format, args...)) }

func (p *progress) String() string {
	s, _ := p.v.Load().(string)
	return s
}

// bubble runs f in a synctest bubble under the real-time watchdog. A
// scenario that overruns realTimeLimit ends the process with a panic that
// names the scenario and its last step: a stuck goroutine cannot be
// stopped from outside, and a panic is what the fuzzing engine records as
// a crasher, with the input.
func bubble(t *testing.T, name string, input []byte, f func(t *testing.T, p *progress)) {
	p := &progress{}
	p.set("setting up")
	dog := time.AfterFunc(realTimeLimit, func() {
		panic(fmt.Sprintf("hang: %s scenario %x still running after %v of real time; last step: %s",
			name, input, realTimeLimit, p))
	})
	defer dog.Stop()
	synctest.Test(t, func(t *testing.T) { f(t, p) })
}
