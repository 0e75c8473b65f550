package perf

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// TestPayloadGolden pins the keystream: reports of different builds can
// only be compared while it stays the same.
func TestPayloadGolden(t *testing.T) {
	for _, tc := range []struct {
		stream uint16
		want   string
	}{
		{0, "f1c286d97a96322b1dda4ef49d5e6014"},
		{7, "7af7b0cd9637c461e63e98ae69c47f8f"},
	} {
		if got := hex.EncodeToString(NewPayload(tc.stream, 16).Next(16)); got != tc.want {
			t.Errorf("stream %d starts with %s, want %s", tc.stream, got, tc.want)
		}
	}
}

func TestPayloadDeterministic(t *testing.T) {
	a, b := NewPayload(3, 1000), NewPayload(3, 1000)
	for i := range 5 {
		if !bytes.Equal(a.Next(1000), b.Next(1000)) {
			t.Fatalf("message %d differs between two payloads of stream 3", i)
		}
	}
	if bytes.Equal(NewPayload(3, 64).Next(64), NewPayload(4, 64).Next(64)) {
		t.Error("streams 3 and 4 carry the same bytes")
	}
}

// TestPayloadIsAByteStream checks that message boundaries do not change the
// bytes, which lets an echo check regenerate a message read in parts.
func TestPayloadIsAByteStream(t *testing.T) {
	whole := bytes.Clone(NewPayload(1, 100).Next(100))
	p := NewPayload(1, 100)
	var parts []byte
	for _, n := range []int{1, 30, 7, 62} {
		parts = append(parts, p.Next(n)...)
	}
	if !bytes.Equal(parts, whole) {
		t.Error("the bytes depend on how they are split into messages")
	}
	filled := make([]byte, 100)
	NewPayload(1, 0).Fill(filled)
	if !bytes.Equal(filled, whole) {
		t.Error("Fill and Next give different bytes")
	}
}

func TestPayloadNextAllocs(t *testing.T) {
	p := NewPayload(0, 1500)
	if n := testing.AllocsPerRun(100, func() { p.Next(1500) }); n != 0 {
		t.Errorf("Next allocates %v times per message", n)
	}
}

func BenchmarkPayloadNext(b *testing.B) {
	p := NewPayload(0, 1000)
	b.SetBytes(1000)
	b.ReportAllocs()
	for b.Loop() {
		p.Next(1000)
	}
}
