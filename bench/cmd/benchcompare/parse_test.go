package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
)

func TestParseSizes(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"1,100,1000,8000", []int{1, 100, 1000, 8000}},
		{"1000", []int{1000}},
		{" 1 100, 8000 ", []int{1, 100, 8000}},
	} {
		got, err := parseSizes(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseSizes(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", ",", "0", "-5", "1k", "70000"} {
		if got, err := parseSizes(bad); err == nil {
			t.Errorf("parseSizes(%q) = %v, want an error", bad, got)
		}
	}
}

func TestParseResult(t *testing.T) {
	got, err := parseResult([]byte(`{"role":"server","messages":3,"bytes":3000,"seconds":1.5,"mbit_per_s":0.016}` + "\n"))
	want := measure.Result{Role: "server", Messages: 3, Bytes: 3000, Seconds: 1.5, Mbps: 0.016}
	if err != nil || got != want {
		t.Errorf("parseResult = %+v, %v; want %+v", got, err, want)
	}
	if _, err := parseResult([]byte("")); err == nil {
		t.Error("parseResult of no output: no error")
	}
}

// The reports are abridged from real "mobisctp perf --json" output.
const (
	perfServer = `{"role":"server","association":1,"seconds":2.0427,"sent":{"bytes":0,"messages":0},` +
		`"received":{"bytes":146096000,"messages":146096,"mbit_per_s":572.17},"error":""}`
	perfClient = `{"role":"client","association":1,"seconds":2.0426,` +
		`"sent":{"bytes":146096000,"messages":146096},"received":{"bytes":0,"messages":0},"error":""}`
	perfAborted = `{"role":"server","seconds":0.5,"received":{"bytes":10,"messages":1},"error":"peer aborted"}`
)

func TestParsePerf(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want measure.Result
	}{
		{perfServer, measure.Result{Role: "server", Messages: 146096, Bytes: 146096000, Seconds: 2.0427}},
		{perfClient, measure.Result{Role: "client", Messages: 146096, Bytes: 146096000, Seconds: 2.0426}},
	} {
		got, err := parsePerf([]byte(tc.in))
		if err != nil || got != tc.want {
			t.Errorf("parsePerf(%.40s...) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{perfAborted, `{"seconds":1}`, ""} {
		if got, err := parsePerf([]byte(bad)); err == nil {
			t.Errorf("parsePerf(%q) = %+v, want an error", bad, got)
		}
	}
}

func TestParseTsctp(t *testing.T) {
	srv, err := parseTsctpServer([]byte("8000, 4096, 4096, 32768000, 1.074979, 30482455.936349, 0\n"))
	want := measure.Result{Role: "server", Messages: 4096, Bytes: 32768000, Seconds: 1.074979}
	if err != nil || srv != want {
		t.Errorf("parseTsctpServer = %+v, %v; want %+v", srv, err, want)
	}
	cli, err := parseTsctpClient([]byte("Sending of 4096 messages of length 8000 took 1.000520 seconds.\n" +
		"Throughput was 32750969.495862 Byte/sec.\n"))
	want = measure.Result{Role: "client", Messages: 4096, Bytes: 32768000, Seconds: 1.000520}
	if err != nil || cli != want {
		t.Errorf("parseTsctpClient = %+v, %v; want %+v", cli, err, want)
	}
	if _, err := parseTsctpServer([]byte("Connection accepted\n")); err == nil {
		t.Error("parseTsctpServer without a result line: no error")
	}
	if got := tsctpSeconds(5 * time.Second); got != 5 {
		t.Errorf("tsctpSeconds(5s) = %d", got)
	}
	if got := tsctpSeconds(200 * time.Millisecond); got != 1 {
		t.Errorf("tsctpSeconds(200ms) = %d, want at least 1", got)
	}
}

func TestParseBenchLines(t *testing.T) {
	out := "goos: linux\ngoarch: amd64\npkg: github.com/mobisctp/mobisctp/stack\n" +
		"BenchmarkIdleAssociationMemory-2   \t       1\t2345678901 ns/op\t      6144 B/assoc\n" +
		"BenchmarkMultiAssoc/assocs=16-2 \t  360188\t     13496 ns/op\t  74.10 MB/s\t 5.013 CPU-s/GB\t 0.5705 min/max\t 0 allocs/op\n" +
		"--- FAIL: BenchmarkTrickle10k\nPASS\n"
	got := parseBenchLines([]byte(out))
	if len(got) != 2 {
		t.Fatalf("parseBenchLines = %+v, want 2 lines", got)
	}
	if got[0].name != "BenchmarkIdleAssociationMemory" || got[0].metrics["B/assoc"] != 6144 {
		t.Errorf("line 0 = %+v", got[0])
	}
	if m := got[1].metrics; got[1].name != "BenchmarkMultiAssoc/assocs=16" || m["CPU-s/GB"] != 5.013 || m["min/max"] != 0.5705 || m["ns/op"] != 13496 {
		t.Errorf("line 1 = %+v", got[1])
	}
	if l := parseBenchLines([]byte("FAIL\n")); len(l) != 0 {
		t.Errorf("parseBenchLines of a failure = %+v", l)
	}
}

func TestParseLoadAvg(t *testing.T) {
	if got, err := parseLoadAvg([]byte("8.89 10.14 9.35 3/412 12345\n")); err != nil || got != "8.89 10.14 9.35" {
		t.Errorf("parseLoadAvg = %q, %v", got, err)
	}
	if _, err := parseLoadAvg([]byte("")); err == nil {
		t.Error("parseLoadAvg of nothing: no error")
	}
}

func TestReadyPatternMatchesEveryServer(t *testing.T) {
	for _, line := range []string{
		"listening on 127.0.0.1, SCTP port 5001, UDP port 52439", // mobisctp perf server
		"listening on 127.0.0.1, UDP port 40902",                 // measure.ServerFlags.ListenUDP
	} {
		m := measure.ReadyPattern.FindStringSubmatch(line)
		if m == nil || (m[1] != "52439" && m[1] != "40902") {
			t.Errorf("ReadyPattern on %q: %q", line, m)
		}
	}
}
