package perf

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestFlowCountsPartsAndHashes(t *testing.T) {
	f := newFlow(nil, true)
	f.add(2, []byte("hel"), false)
	f.add(2, []byte("lo"), true)
	f.add(0, []byte("x"), true)
	r := f.report(2)
	sum := sha256.Sum256([]byte("hello"))
	want := StreamReport{Stream: 2, Messages: 1, Bytes: 5, SHA256: hex.EncodeToString(sum[:])}
	if len(r.Streams) != 2 || r.Streams[1] != want {
		t.Fatalf("streams %+v, want stream 0 then %+v", r.Streams, want)
	}
	if r.Bytes != 6 || r.Messages != 2 || r.Mbps != 6*8/2/1e6 || r.MsgRate != 1 {
		t.Errorf("totals %+v", r)
	}
}

func TestCompare(t *testing.T) {
	s0 := StreamReport{Stream: 0, Messages: 1, Bytes: 5, SHA256: "aa"}
	s1 := StreamReport{Stream: 1, Messages: 1, Bytes: 5, SHA256: "bb"}
	bad := s1
	bad.SHA256 = "cc"
	flow := func(s ...StreamReport) Flow { return Flow{Streams: s} }
	for _, tc := range []struct {
		name           string
		sent, received Flow
		want           string // in the error; empty: no error
	}{
		{"same", flow(s0, s1), flow(s0, s1), ""},
		{"hash differs", flow(s0, s1), flow(s0, bad), "stream 1: sent"},
		{"stream missing", flow(s0, s1), flow(s0), "stream 1: nothing received"},
		{"stream extra", flow(s0), flow(s0, s1), "stream 1: received but not sent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Compare(tc.sent, tc.received)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
