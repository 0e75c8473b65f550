package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
)

// parseSizes reads a list of message sizes separated by commas or spaces.
func parseSizes(s string) ([]int, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	if len(fields) == 0 {
		return nil, errors.New("no message size given")
	}
	sizes := make([]int, len(fields))
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > maxSize {
			return nil, fmt.Errorf("message size %q: want a number of bytes from 1 to %d", f, maxSize)
		}
		sizes[i] = n
	}
	return sizes, nil
}

// parseResult reads the JSON result of pionperf or udpperf.
func parseResult(out []byte) (measure.Result, error) {
	var r measure.Result
	if err := json.Unmarshal(out, &r); err != nil {
		return r, fmt.Errorf("reading result %q: %w", bytes.TrimSpace(out), err)
	}
	return r, nil
}

// perfReport is the part of the JSON report of "mobisctp perf --json"
// (internal/perf.Report, whose field names are stable) that the harness
// reads. It is declared here so that the harness builds without the stack.
type perfReport struct {
	Role     string   `json:"role"`
	Seconds  float64  `json:"seconds"`
	Sent     perfFlow `json:"sent"`
	Received perfFlow `json:"received"`
	Error    string   `json:"error"`
}

// perfFlow is one direction of a perfReport.
type perfFlow struct {
	Bytes    uint64 `json:"bytes"`
	Messages uint64 `json:"messages"`
}

// parsePerf reads the report of "mobisctp perf server|client --json" and
// returns what the server received or the client sent.
func parsePerf(out []byte) (measure.Result, error) {
	var rep perfReport
	if err := json.Unmarshal(out, &rep); err != nil {
		return measure.Result{}, fmt.Errorf("reading perf report %q: %w", bytes.TrimSpace(out), err)
	}
	flow := rep.Received
	switch {
	case rep.Error != "":
		return measure.Result{}, fmt.Errorf("perf %s: %s", rep.Role, rep.Error)
	case rep.Role == "client":
		flow = rep.Sent
	case rep.Role != "server":
		return measure.Result{}, fmt.Errorf("perf report %q has no role", bytes.TrimSpace(out))
	}
	return measure.Result{Role: rep.Role, Messages: flow.Messages, Bytes: flow.Bytes, Seconds: rep.Seconds}, nil
}

// tsctpServerLine matches what a tsctp server prints when an association
// ends: message length, messages, receive calls, bytes, seconds, bytes per
// second, flags.
var tsctpServerLine = regexp.MustCompile(`(?m)^(\d+), (\d+), \d+, (\d+), ([0-9.]+), [0-9.]+, \d+$`)

// tsctpClientLine matches what a tsctp client prints when it is done.
var tsctpClientLine = regexp.MustCompile(`Sending of (\d+) messages of length (\d+) took ([0-9.]+) seconds`)

// parseTsctpServer reads what a tsctp server received.
func parseTsctpServer(out []byte) (measure.Result, error) {
	m := tsctpServerLine.FindSubmatch(out)
	if m == nil {
		return measure.Result{}, fmt.Errorf("no result line in tsctp server output %q", bytes.TrimSpace(out))
	}
	return measure.Result{Role: "server", Messages: atou(m[2]), Bytes: atou(m[3]), Seconds: atof(m[4])}, nil
}

// parseTsctpClient reads what a tsctp client sent.
func parseTsctpClient(out []byte) (measure.Result, error) {
	m := tsctpClientLine.FindSubmatch(out)
	if m == nil {
		return measure.Result{}, fmt.Errorf("no result line in tsctp client output %q", bytes.TrimSpace(out))
	}
	messages := atou(m[1])
	return measure.Result{Role: "client", Messages: messages, Bytes: messages * atou(m[2]), Seconds: atof(m[3])}, nil
}

// atou and atof convert what a regular expression already checked.
func atou(b []byte) uint64 {
	n, _ := strconv.ParseUint(string(b), 10, 64)
	return n
}

func atof(b []byte) float64 {
	f, _ := strconv.ParseFloat(string(b), 64)
	return f
}

// benchLine is one result line of go test -bench: the benchmark's name
// without the GOMAXPROCS suffix, and its metrics by unit.
type benchLine struct {
	name    string
	metrics map[string]float64
}

// benchLinePattern matches a result line: name, iterations, then pairs of
// value and unit.
var benchLinePattern = regexp.MustCompile(`(?m)^(Benchmark\S+?)(?:-\d+)?\s+\d+\s+(.+)$`)

// parseBenchLines returns the result lines in the output of go test -bench.
func parseBenchLines(out []byte) []benchLine {
	var lines []benchLine
	for _, m := range benchLinePattern.FindAllSubmatch(out, -1) {
		l := benchLine{name: string(m[1]), metrics: map[string]float64{}}
		f := strings.Fields(string(m[2]))
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				l.metrics[f[i+1]] = v
			}
		}
		lines = append(lines, l)
	}
	return lines
}

// parseLoadAvg returns the three load averages of /proc/loadavg.
func parseLoadAvg(b []byte) (string, error) {
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "", fmt.Errorf("unexpected /proc/loadavg %q", b)
	}
	return strings.Join(f[:3], " "), nil
}

// tsctpSeconds is the -T argument for d: tsctp takes whole seconds.
func tsctpSeconds(d time.Duration) int { return max(1, int(d.Round(time.Second).Seconds())) }
