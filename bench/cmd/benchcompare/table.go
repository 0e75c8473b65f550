package main

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"
)

// report is everything the harness prints.
type report struct {
	command   string // the harness's command line
	started   time.Time
	duration  time.Duration // sending time per cell
	runs      int           // of every cell
	loadStart string        // load averages before the first cell
	loadEnd   string        // and after the last
	machine   string
	procs     int      // GOMAXPROCS of the Go processes, 0: Go's default
	pinned    string   // where their processes run, with procs
	cells     []cell   // in run order
	skipped   []string // implementations left out, and why
	stack     stackResults
	// interrupted says the run was stopped before every cell ran.
	interrupted bool
}

// memoryResult is the outcome of the idle association benchmark.
type memoryResult struct {
	bytesPerAssoc float64
	command       string
	err           error
}

// mbps returns the payload the server received in Mbit/s.
func (c cell) mbps() float64 { return ratio(float64(c.received.Bytes)*8/1e6, c.received.Seconds) }

// msgRate returns the messages the server received per second.
func (c cell) msgRate() float64 { return ratio(float64(c.received.Messages), c.received.Seconds) }

// cpuPerGB returns the CPU seconds both processes spent per 10^9 payload
// bytes received.
func (c cell) cpuPerGB() float64 { return ratio(c.cpu.Seconds(), float64(c.received.Bytes)/1e9) }

// ratio returns x/y, or NaN (shown as "–") when y is not positive.
func ratio(x, y float64) float64 {
	if y <= 0 {
		return math.NaN()
	}
	return x / y
}

// columns of the table.
var columns = []struct{ title, align string }{
	{"Size (B)", "---:"}, {"Implementation", ":---"}, {"Mbit/s", "---:"}, {"Mbit/s range", "---:"}, {"msg/s", "---:"},
	{"CPU s/GB", "---:"}, {"vs pion", "---:"}, {"vs UDP", "---:"}, {"CPU vs pion", "---:"}, {"Notes", ":---"},
}

// writeMarkdown writes the report as a Markdown table with notes below.
func (r *report) writeMarkdown(w io.Writer) {
	fmt.Fprintf(w, "## Throughput on loopback: mobisctp, pion/sctp, usrsctp, raw UDP\n\n")
	titles, aligns := make([]string, len(columns)), make([]string, len(columns))
	for i, c := range columns {
		titles[i], aligns[i] = c.title, c.align
	}
	writeRow(w, titles)
	writeRow(w, aligns)
	all := group(r.cells)
	for _, s := range all {
		writeRow(w, row(s, all))
	}
	fmt.Fprintln(w)
	r.writeNotes(w)
	r.stack.writeMarkdown(w)
}

// row returns the table cells of s: medians of its runs, the range of
// Mbit/s, and for the mobisctp rows the ratios of medians against
// pion/sctp and against the raw UDP row that moves datagrams the same way
// (udpReference), at the same size.
func row(s *series, all []*series) []string {
	mbps := s.median(cell.mbps)
	row := []string{fmt.Sprint(s.size), s.name, "", s.spreadText(cell.mbps), "", "", "", "", "", s.notes()}
	if math.IsNaN(mbps) {
		return row
	}
	cpu := s.median(cell.cpuPerGB)
	row[2], row[4], row[5] = number(mbps), number(s.median(cell.msgRate)), number(cpu)
	if s.key != keyOurs && s.key != keyOursNoOffload {
		return row
	}
	if pion := find(all, keyPion, s.size); pion != nil {
		row[6] = times(mbps / pion.median(cell.mbps))
		row[8] = times(cpu / pion.median(cell.cpuPerGB))
	}
	if udp := find(all, udpReference[s.key], s.size); udp != nil {
		row[7] = times(mbps / udp.median(cell.mbps))
	}
	return row
}

// find returns the series of implementation key at size, or nil.
func find(all []*series, key string, size int) *series {
	for _, s := range all {
		if s.key == key && s.size == size {
			return s
		}
	}
	return nil
}

// notes says what went wrong in c, or how much of what was sent did not
// arrive.
func notes(c cell) string {
	switch {
	case c.err != nil:
		return "failed: " + c.err.Error()
	case c.sent.Messages > c.received.Messages:
		lost := c.sent.Messages - c.received.Messages
		return fmt.Sprintf("%.1f%% of %d sent lost", 100*float64(lost)/float64(c.sent.Messages), c.sent.Messages)
	case c.sent.Messages < c.received.Messages:
		return fmt.Sprintf("received %d, client counted %d", c.received.Messages, c.sent.Messages)
	}
	return ""
}

// writeNotes writes what the table needs to be read and rerun.
func (r *report) writeNotes(w io.Writer) {
	fmt.Fprintf(w, "- Command: `%s`\n", r.command)
	fmt.Fprintf(w, "- Started %s; every cell sends for %v, one cell at a time, %d run(s) of each, "+
		"the implementations taking turns within a size.\n", r.started.Format(time.RFC3339), r.duration, r.runs)
	if r.interrupted {
		fmt.Fprintf(w, "- Interrupted: stopped before every cell ran.\n")
	}
	fmt.Fprintf(w, "- Load average (1, 5, 15 min): %s at the start, %s after the last cell.\n", r.loadStart, r.loadEnd)
	fmt.Fprintf(w, "- Machine: %s.\n", r.machine)
	if r.procs > 0 {
		fmt.Fprintf(w, "- GOMAXPROCS=%d in mobisctp's and udpperf's servers and clients, whose two processes share the machine (`-gomaxprocs`; faster for both), %s; pion/sctp keeps Go's default, every core, which is faster for it, and neither it nor tsctp is pinned.\n", r.procs, r.pinned)
	} else {
		fmt.Fprintf(w, "- GOMAXPROCS: Go's default, every core in each process (`-gomaxprocs 0`).\n")
	}
	fmt.Fprintf(w, "- Mbit/s and msg/s: payload received, over the receiver's own measured time; the median of the runs, "+
		"with the smallest and largest Mbit/s as the range. "+
		"CPU s/GB: user+system CPU of server and client together (rusage at exit) per 10^9 payload bytes received, median. "+
		"vs pion: mobisctp's median Mbit/s over pion/sctp's at the same size; CPU vs pion: the same for CPU s/GB. "+
		"vs UDP: like with like, mobisctp over raw UDP (GSO/GRO) and mobisctp --no-offload over raw UDP (sendmmsg); "+
		"the raw UDP rows move datagrams through mobisctp's own UDP layer (package encap: recvmmsg/sendmmsg, its default batch). "+
		"raw UDP (GSO/GRO) + SCTP's per-byte work also copies each message into a 4 MiB retransmission ring and checksums it (CRC32c, in the copy's pass) before sending, "+
		"and checksums each datagram on receipt, read in place as mobisctp's perf server reads with RecvMsgFunc: the ceiling of any SCTP over UDP, with no protocol logic. "+
		"mobisctp's perf server reads every message in place (RecvMsgFunc), without copying it into a buffer of its own.\n")
	if m := r.stack.memory; m != nil {
		if m.err != nil {
			fmt.Fprintf(w, "- Idle association memory: failed: %s (`%s`).\n", oneLine(m.err.Error()), m.command)
		} else {
			fmt.Fprintf(w, "- Idle association memory: %s B/assoc, 10,000 idle associations, both ends counted (`%s`).\n",
				number(m.bytesPerAssoc), m.command)
		}
	}
	for _, s := range r.skipped {
		fmt.Fprintf(w, "- Left out: %s.\n", s)
	}
	fmt.Fprintf(w, "- Command lines (first cell of each implementation):\n")
	seen := map[string]bool{}
	for _, c := range r.cells {
		if seen[c.key] || c.argv[0] == nil {
			continue
		}
		seen[c.key] = true
		env := strings.Join(c.env, " ")
		if env != "" {
			env += " "
		}
		fmt.Fprintf(w, "  - %s: server `%s%s`, client `%s%s`\n", c.name,
			env, strings.Join(c.argv[0], " "), env, strings.Join(c.argv[1], " "))
	}
}

// writeRow writes one table row.
func writeRow(w io.Writer, cells []string) {
	escaped := make([]string, len(cells))
	for i, c := range cells {
		escaped[i] = strings.ReplaceAll(oneLine(c), "|", `\|`)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(escaped, " | "))
}

// oneLine joins the lines of s.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// number formats x with about three significant digits, and no fraction
// from 100 up.
func number(x float64) string {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return "–"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	case x >= 1:
		return fmt.Sprintf("%.2f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

// times formats a ratio.
func times(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "–"
	}
	return fmt.Sprintf("%.2f×", x)
}
