package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// stackBenchTimeout bounds building and running the stack's benchmarks.
const stackBenchTimeout = 15 * time.Minute

// Commands that the stack benchmark runs stand for.
const (
	idleMemoryCommand = "go test -run '^$' -bench IdleAssociationMemory -benchtime 1x ./stack/"
	multiCommand      = "go test -run '^$' -bench MultiAssoc -benchtime %v ./stack/"
	trickleCommand    = "go test -run '^$' -bench Trickle10k -benchtime 3x ./stack/"
)

// stackResults are the outcomes of the stack's in-process benchmarks.
type stackResults struct {
	memory  *memoryResult
	multi   *benchResult // BenchmarkMultiAssoc, one line per association count
	trickle *benchResult // BenchmarkTrickle10k
}

// benchResult is the outcome of one go test -bench run.
type benchResult struct {
	command string
	lines   []benchLine
	err     error
}

// runStackBenches builds the stack package's test binary and runs, as
// asked, the idle association memory benchmark and the many-association
// ones (MultiAssoc for d per association count, Trickle10k for 3 s). It
// runs the binary itself, so that stopping the harness stops it too.
func runStackBenches(ctx context.Context, goCmd string, d time.Duration, memory, multi bool) stackResults {
	var res stackResults
	ctx, cancel := context.WithTimeout(ctx, stackBenchTimeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "benchcompare-stack-")
	if err == nil {
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "stack.test")
	if err == nil {
		_, err = runToEnd(ctx, "go test -c", []string{goCmd, "test", "-c", "-o", bin, "./stack/"})
	}
	run := func(command, bench, benchtime string) *benchResult {
		r := &benchResult{command: command, err: err}
		if r.err != nil {
			return r
		}
		fmt.Fprintf(os.Stderr, "%s...\n", command)
		out, err := runToEnd(ctx, "stack.test", []string{bin, "-test.run", "^$",
			"-test.bench", "^Benchmark" + bench + "$", "-test.benchtime", benchtime})
		if r.err = err; err == nil {
			r.lines = parseBenchLines(out)
			if len(r.lines) == 0 {
				r.err = fmt.Errorf("no benchmark result in %q", lastLine(out))
			}
		}
		return r
	}
	if memory {
		r := run(idleMemoryCommand, "IdleAssociationMemory", "1x")
		res.memory = &memoryResult{command: r.command, err: r.err}
		if r.err == nil {
			var ok bool
			if res.memory.bytesPerAssoc, ok = r.lines[0].metrics["B/assoc"]; !ok {
				res.memory.err = fmt.Errorf("no B/assoc in the benchmark output")
			}
		}
	}
	if multi {
		res.multi = run(fmt.Sprintf(multiCommand, d), "MultiAssoc", d.String())
		res.trickle = run(trickleCommand, "Trickle10k", "3x")
	}
	return res
}

// failed reports whether a benchmark that ran failed.
func (s stackResults) failed() bool {
	return (s.memory != nil && s.memory.err != nil) || (s.multi != nil && s.multi.err != nil) ||
		(s.trickle != nil && s.trickle.err != nil)
}

// runToEnd runs argv until it exits and returns its stdout.
func runToEnd(ctx context.Context, name string, argv []string) ([]byte, error) {
	c, err := start(ctx, name, argv, nil, nil)
	if err != nil {
		return nil, err
	}
	defer c.stop()
	if err := c.wait(ctx); err != nil {
		return nil, err
	}
	return c.stdout.Bytes(), nil
}

// writeMarkdown writes the many-association section, if it ran.
func (s stackResults) writeMarkdown(w io.Writer) {
	if s.multi == nil {
		return
	}
	fmt.Fprintf(w, "\n## Many associations between two endpoints, in one process\n\n")
	if s.multi.err != nil {
		fmt.Fprintf(w, "- Failed: %s (`%s`).\n", oneLine(s.multi.err.Error()), s.multi.command)
	} else {
		writeRow(w, []string{"Associations", "Mbit/s", "CPU s/GB", "fairness (min/max)", "retransmissions/msg"})
		writeRow(w, []string{"---:", "---:", "---:", "---:", "---:"})
		for _, l := range s.multi.lines {
			writeRow(w, []string{strings.TrimPrefix(l.name, "BenchmarkMultiAssoc/assocs="), metric(l, "Mbit/s"),
				metric(l, "CPU-s/GB"), metric(l, "min/max"), metric(l, "rtx/msg")})
		}
		fmt.Fprintf(w, "\n- 1000-byte messages, each association with its own sender and receiver; CPU of both ends per 10^9 payload bytes; "+
			"fairness: the smallest association's delivered bytes over the largest's, when half of all was delivered (`%s`).\n", s.multi.command)
	}
	if t := s.trickle; t != nil && t.err != nil {
		fmt.Fprintf(w, "- 10,000 associations, one message a second each: failed: %s (`%s`).\n", oneLine(t.err.Error()), t.command)
	} else if t != nil {
		l := t.lines[0]
		fmt.Fprintf(w, "- 10,000 associations, one 100-byte message a second each (%s msg/s kept up): %s µs CPU per association and second, "+
			"%s%% of one core, %s µs CPU per message, both ends, SACKs included (`%s`).\n",
			metric(l, "msg/s"), metric(l, "µs-CPU/assoc/s"), metric(l, "%CPU"), metric(l, "µs-CPU/msg"), t.command)
	}
}

// metric formats the metric of l in unit, or "–".
func metric(l benchLine, unit string) string {
	v, ok := l.metrics[unit]
	if !ok {
		return "–"
	}
	return number(v)
}
