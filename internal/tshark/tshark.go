// Package tshark runs Wireshark's tshark over a capture file and checks what
// it decoded. It is the independent wire-format oracle of the tests: tshark
// must find no malformed frame, no expert error and only good CRC32c
// checksums, and must name every chunk and message as we meant it.
package tshark

import (
	"bytes"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/mobisctp/mobisctp/internal/testenv"
)

// Standard options: verify CRC32c (the option value is exact; a misspelt
// one is silently ignored), and do not treat reused TSNs as retransmissions,
// which would hide ASAP/ENRP payloads.
var baseArgs = []string{
	"-o", "sctp.checksum:crc-32c",
	"-o", "sctp.tsn_analysis:FALSE",
}

// Frame is one decoded frame: each requested field with all its
// occurrences.
type Frame map[string][]string

// Decode runs tshark on the capture file with the given extra arguments
// (for instance "-d", "udp.port==5000,sctp") and returns the requested
// fields of every frame.
func Decode(tb testing.TB, file string, extra []string, fields ...string) []Frame {
	tb.Helper()
	bin := testenv.Tool(tb, "tshark")
	args := append(append([]string{"-r", file, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=|"}, baseArgs...), extra...)
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command(bin, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("tshark %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var frames []Frame
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		cols := strings.Split(line, "\t")
		fr := Frame{}
		for i, f := range fields {
			if i < len(cols) && cols[i] != "" {
				fr[f] = strings.Split(cols[i], "|")
			}
		}
		frames = append(frames, fr)
	}
	return frames
}

// expertError is the value tshark prints for _ws.expert.severity "error".
const expertError = "8388608"

// Clean returns the problems tshark reported in frames decoded with at
// least the fields of CleanFields: malformed frames, expert errors, and SCTP
// checksums that are not good. An empty result means the capture is clean.
func Clean(frames []Frame) []string {
	var bad []string
	for i, f := range frames {
		n := i + 1
		if len(f["_ws.malformed"]) > 0 {
			bad = append(bad, fmt.Sprintf("frame %d: malformed", n))
		}
		for _, s := range f["_ws.expert.severity"] {
			if s == expertError {
				bad = append(bad, fmt.Sprintf("frame %d: expert error %v", n, f["_ws.expert.message"]))
				break
			}
		}
		for _, s := range f["sctp.checksum.status"] {
			if s != "1" {
				bad = append(bad, fmt.Sprintf("frame %d: checksum status %s", n, s))
			}
		}
	}
	return bad
}

// CleanFields are the fields Clean needs.
var CleanFields = []string{"_ws.malformed", "_ws.expert.severity", "_ws.expert.message", "sctp.checksum.status"}
