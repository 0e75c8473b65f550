package main

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
)

// fakeCell is a cell that received bytes in 10 messages over 2 s, with
// cpu seconds of CPU.
func fakeCell(key, name string, size int, bytes uint64, cpu float64) cell {
	recv := measure.Result{Role: "server", Messages: 10, Bytes: bytes, Seconds: 2}
	sent := measure.Result{Role: "client", Messages: 10, Bytes: bytes, Seconds: 2}
	return cell{key: key, name: name, size: size, received: recv, sent: sent,
		cpu: time.Duration(cpu * float64(time.Second)), argv: [2][]string{{name, "server"}, {name, "client"}}}
}

func TestCellMetrics(t *testing.T) {
	c := fakeCell(keyOurs, "mobisctp", 1000, 250e6, 1.5)
	if got := c.mbps(); got != 1000 {
		t.Errorf("mbps = %v, want 1000", got)
	}
	if got := c.msgRate(); got != 5 {
		t.Errorf("msgRate = %v, want 5", got)
	}
	if got := c.cpuPerGB(); got != 6 {
		t.Errorf("cpuPerGB = %v, want 6", got)
	}
	if got := (cell{}).mbps(); !math.IsNaN(got) {
		t.Errorf("mbps of nothing = %v, want NaN", got)
	}
}

func TestRowRatios(t *testing.T) {
	cells := []cell{
		fakeCell(keyOurs, "mobisctp", 1000, 250e6, 1.5),                     // 1000 Mbit/s, 6 s/GB
		fakeCell(keyPion, "pion/sctp", 1000, 125e6, 1.5),                    // 500 Mbit/s, 12 s/GB
		fakeCell(keyUDPOffload, "raw UDP (GSO/GRO)", 1000, 1000e6, 1),       // 4000 Mbit/s
		fakeCell(keyUDP, "raw UDP", 1000, 500e6, 1),                         // 2000 Mbit/s
		fakeCell(keyOurs, "mobisctp", 8000, 250e6, 1.5),                     // no pion or UDP at this size
		fakeCell(keyOursNoOffload, "mobisctp --no-offload", 1000, 125e6, 1), // 500 Mbit/s, 8 s/GB
	}
	want := [][]string{
		{"1000", "mobisctp", "1000", "1000–1000", "5.00", "6.00", "2.00×", "0.25×", "0.50×", ""},
		{"1000", "pion/sctp", "500", "500–500", "5.00", "12.0", "", "", "", ""},
		{"1000", "raw UDP (GSO/GRO)", "4000", "4000–4000", "5.00", "1.00", "", "", "", ""},
		{"1000", "raw UDP", "2000", "2000–2000", "5.00", "2.00", "", "", "", ""},
		{"8000", "mobisctp", "1000", "1000–1000", "5.00", "6.00", "", "", "", ""},
		{"1000", "mobisctp --no-offload", "500", "500–500", "5.00", "8.00", "1.00×", "0.25×", "0.67×", ""},
	}
	all := group(cells)
	for i, s := range all {
		if got := row(s, all); strings.Join(got, "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d = %q\nwant     %q", i, got, want[i])
		}
	}
}

// Interleaved runs fall into one series per implementation and size, in
// the order of first appearance, each row giving medians and the range.
func TestRowMedianOfRuns(t *testing.T) {
	var cells []cell
	for _, mb := range []float64{300e6, 100e6, 250e6} { // ours: 1200, 400, 1000 Mbit/s
		cells = append(cells,
			fakeCell(keyOurs, "mobisctp", 1000, uint64(mb), 3),
			fakeCell(keyUDPOffload, "raw UDP (GSO/GRO)", 1000, uint64(2*mb), 1))
	}
	failed := fakeCell(keyOurs, "mobisctp", 1000, 0, 0)
	failed.err = errors.New("timeout")
	cells = append(cells, failed)
	all := group(cells)
	if len(all) != 2 || all[0].key != keyOurs || len(all[0].cells) != 4 || all[1].key != keyUDPOffload {
		t.Fatalf("series = %+v", all)
	}
	// Median of 1200, 400, 1000 (the failed run left out) is 1000; CPU s/GB
	// of 10, 30, 12 gives 12; the UDP median is 2000.
	want := []string{"1000", "mobisctp", "1000", "400–1200", "5.00", "12.0", "", "0.50×", "", "run 4: failed: timeout"}
	if got := row(all[0], all); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("row = %q\nwant  %q", got, want)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		mbps []float64 // of the runs; 0 is a failed run
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{0, 7, 0}, 7},
		{[]float64{0}, math.NaN()},
	} {
		s := &series{}
		for _, m := range tc.mbps {
			c := fakeCell(keyOurs, "mobisctp", 1, uint64(m*2e6/8), 1) // m Mbit/s over 2 s
			if m == 0 {
				c.err = errors.New("failed")
			}
			s.cells = append(s.cells, c)
		}
		got := s.median(cell.mbps)
		if !(got == tc.want || math.IsNaN(got) && math.IsNaN(tc.want)) {
			t.Errorf("median of %v = %v, want %v", tc.mbps, got, tc.want)
		}
	}
}

func TestRowFailedReference(t *testing.T) {
	pion := fakeCell(keyPion, "pion/sctp", 100, 1e6, 1)
	pion.err = errors.New("pion/sctp client: exit status 1: handshake: timeout")
	all := group([]cell{fakeCell(keyOurs, "mobisctp", 100, 1e6, 1), pion})
	if got := row(all[0], all); got[6] != "–" || got[8] != "–" {
		t.Errorf("ratios against a failed cell: %q", got)
	}
	if got := row(all[1], all); got[2] != "" || got[9] != "failed: pion/sctp client: exit status 1: handshake: timeout" {
		t.Errorf("failed row = %q", got)
	}
}

func TestNotesLoss(t *testing.T) {
	c := fakeCell(keyUDP, "raw UDP", 8000, 1e6, 1)
	c.sent.Messages = 40
	if got, want := notes(c), "75.0% of 40 sent lost"; got != want {
		t.Errorf("notes = %q, want %q", got, want)
	}
}

func TestWriteMarkdown(t *testing.T) {
	failed := fakeCell(keyPion, "pion/sctp", 1, 0, 0)
	failed.err = errors.New("a | b\nc")
	r := &report{
		command:   "bin/bench/benchcompare -time 5s",
		started:   time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		duration:  5 * time.Second,
		runs:      3,
		loadStart: "0.10 0.20 0.30",
		loadEnd:   "1.10 0.40 0.35",
		machine:   "linux/amd64, 2 CPUs",
		cells:     []cell{fakeCell(keyOurs, "mobisctp", 1, 250e6, 1.5), failed},
		skipped:   []string{"usrsctp tsctp: gcc missing"},
		stack: stackResults{
			memory: &memoryResult{bytesPerAssoc: 6144, command: idleMemoryCommand},
			multi: &benchResult{command: "multi", lines: []benchLine{
				{name: "BenchmarkMultiAssoc/assocs=16", metrics: map[string]float64{"Mbit/s": 593.1, "CPU-s/GB": 5.013, "min/max": 0.5705, "rtx/msg": 0}},
			}},
			trickle: &benchResult{command: "trickle", err: errors.New("exit status 1")},
		},
	}
	var b strings.Builder
	r.writeMarkdown(&b)
	out := b.String()
	for _, want := range []string{
		"| Size (B) | Implementation | Mbit/s | Mbit/s range | msg/s | CPU s/GB | vs pion | vs UDP | CPU vs pion | Notes |\n",
		"| ---: | :--- | ---: |",
		"| 1 | mobisctp | 1000 | 1000–1000 | 5.00 | 6.00 | – |  | – |  |\n",
		`| 1 | pion/sctp |  |  |  |  |  |  |  | failed: a \| b c |` + "\n",
		"- Command: `bin/bench/benchcompare -time 5s`\n",
		"2026-01-02T03:04:05Z; every cell sends for 5s, one cell at a time, 3 run(s)",
		"0.10 0.20 0.30 at the start, 1.10 0.40 0.35 after the last cell",
		"- Idle association memory: 6144 B/assoc",
		"| 16 | 593 | 5.01 | 0.571 | 0 |\n",
		"- 10,000 associations, one message a second each: failed: exit status 1 (`trickle`).\n",
		"- Left out: usrsctp tsctp: gcc missing.\n",
		"  - mobisctp: server `mobisctp server`, client `mobisctp client`\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q; it is:\n%s", want, out)
		}
	}
}

func TestNumber(t *testing.T) {
	for x, want := range map[float64]string{
		538731: "538731", 572.17: "572", 85.34: "85.3", 4.824: "4.82", 0.0571: "0.0571", math.NaN(): "–",
	} {
		if got := number(x); got != want {
			t.Errorf("number(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin([]string{"bin/x", "-sizes", "1,100", "-run", "^$", "it's"})
	if want := `bin/x -sizes 1,100 -run '^$' 'it'\''s'`; got != want {
		t.Errorf("shellJoin = %s, want %s", got, want)
	}
}
