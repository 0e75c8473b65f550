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
	// Progress redraws a progress line once a second; set it when Stdout
	// is a terminal. Ignored with JSON.
	Progress bool

	screen *screen // shared by the two sides of RunPair; nil: a new one
}

// screen serializes everything printed to a pair of writers, so that the
// lines of concurrent associations and the progress line never interleave.
type screen struct {
	mu     sync.Mutex
	stdout io.Writer
	stderr io.Writer
	live   bool      // a progress line is on stdout: clear it before writing
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
	json   bool
	meters bool // draw a progress line
}

func newConsole(out Output) *console {
	scr := out.screen
	if scr == nil {
		scr = newScreen(out)
	}
	return &console{screen: scr, json: out.JSON, meters: out.Progress && !out.JSON}
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

// print writes text to stdout, first clearing the progress line.
func (s *screen) print(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
	io.WriteString(s.stdout, text)
}

// progress replaces the progress line.
func (s *screen) progress(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clear()
	io.WriteString(s.stdout, line)
	s.live = true
}

// clear erases the progress line; s.mu is held.
func (s *screen) clear() {
	if s.live {
		io.WriteString(s.stdout, "\r\x1b[K") // carriage return, erase to end of line
		s.live = false
	}
}
