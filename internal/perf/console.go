package perf

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// Output says where and how a run reports.
type Output struct {
	// Stdout receives the summaries, or the JSON objects and nothing
	// else; nil discards.
	Stdout io.Writer
	// Stderr receives diagnostics, and the events when JSON is set; nil
	// discards.
	Stderr io.Writer
	// JSON prints one JSON object per association instead of a summary.
	JSON bool
	// Interval is how often an interval line (bytes and rate of the last
	// interval, as iperf3 prints them) goes to Stdout, and the step of
	// the series in the JSON reports: 0 means every second, negative
	// none.
	Interval time.Duration

	screen *screen // shared by the two sides of RunPair; nil: a new one
}

// screen serializes everything printed to a pair of writers, so that the
// lines of concurrent associations never interleave.
type screen struct {
	mu     sync.Mutex
	stdout io.Writer
	stderr io.Writer
	origin time.Time // event times are printed relative to it
}

func newScreen(out Output) *screen {
	s := &screen{stdout: out.Stdout, stderr: out.Stderr, origin: time.Now()}
	if s.stdout == nil {
		s.stdout = io.Discard
	}
	if s.stderr == nil {
		s.stderr = io.Discard
	}
	return s
}

// console is how one server or client prints.
type console struct {
	*screen
	json     bool
	interval time.Duration // of the meter; negative: none
}

func newConsole(out Output) *console {
	scr := out.screen
	if scr == nil {
		scr = newScreen(out)
	}
	interval := out.Interval
	if interval == 0 {
		interval = time.Second
	}
	return &console{screen: scr, json: out.JSON, interval: interval}
}

// event prints a line stamped with t relative to the origin. In JSON mode
// it goes to stderr, which keeps stdout parseable.
func (c *console) event(label string, t time.Time, msg string) {
	line := fmt.Sprintf("+%.3fs %s", t.Sub(c.origin).Seconds(), msg)
	if label != "" {
		line = label + " " + line
	}
	if c.json {
		c.diag(line)
		return
	}
	c.print(line + "\n")
}

// report prints a finished association's report.
func (c *console) report(r Report) {
	if c.json {
		b, err := json.Marshal(r)
		if err != nil {
			c.diag("perf: encoding the report: " + err.Error())
			return
		}
		c.print(string(b) + "\n")
		return
	}
	c.print(summary(r))
}

// diag prints a diagnostic line on stderr.
func (s *screen) diag(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintln(s.stderr, line)
}

// print writes text to stdout.
func (s *screen) print(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	io.WriteString(s.stdout, text)
}
