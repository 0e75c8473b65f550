package perf

import (
	"bytes"
	"testing"

	"github.com/mobisctp/mobisctp/stack"
)

func TestEchoCheck(t *testing.T) {
	cfg := ClientConfig{Streams: 2, PPID: 9}
	sent := func(stream uint16, n int) []byte { return bytes.Clone(NewPayload(stream, n).Next(n)) }
	corrupt := sent(1, 10)
	corrupt[4] ^= 1
	for _, tc := range []struct {
		name  string
		data  []byte
		info  stack.RecvInfo
		wrong bool
	}{
		{"intact", sent(1, 10), stack.RecvInfo{Stream: 1, PPID: 9, EOR: true}, false},
		{"corrupt byte", corrupt, stack.RecvInfo{Stream: 1, PPID: 9, EOR: true}, true},
		{"other PPID", sent(1, 10), stack.RecvInfo{Stream: 1, PPID: 8, EOR: true}, true},
		{"unordered flag", sent(1, 10), stack.RecvInfo{Stream: 1, PPID: 9, Unordered: true, EOR: true}, true},
		{"stream not sent on", sent(2, 10), stack.RecvInfo{Stream: 2, PPID: 9, EOR: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEchoCheck(cfg)
			e.part(tc.data, tc.info)
			if got := e.mismatches == 1; got != tc.wrong {
				t.Errorf("%d mismatches", e.mismatches)
			}
		})
	}
}

// TestEchoCheckParts checks a message read in two parts, the first of them
// wrong: one message, one mismatch, and the next message is judged afresh.
func TestEchoCheckParts(t *testing.T) {
	e := newEchoCheck(ClientConfig{Streams: 1})
	msg := bytes.Clone(NewPayload(0, 20).Next(20))
	first := bytes.Clone(msg[:8])
	first[0] ^= 0xff
	e.part(first, stack.RecvInfo{})
	e.part(msg[8:], stack.RecvInfo{EOR: true})
	e.part(NewPayload(0, 40).Next(40)[20:], stack.RecvInfo{EOR: true})
	if e.mismatches != 1 || e.bytes.Load() != 40 {
		t.Errorf("%d mismatches and %d bytes, want 1 and 40", e.mismatches, e.bytes.Load())
	}
}
