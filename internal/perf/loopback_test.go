package perf

import (
	"context"
	"encoding/json"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// These tests run real associations over UDP on 127.0.0.1, with ephemeral
// ports.

// hangGuard bounds a test that would otherwise wait forever on a bug; it
// is no speed requirement.
const hangGuard = 2 * time.Minute

var loopback = stack.Config{LocalAddrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, EphemeralUDPPort: true}

func guardedContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), hangGuard)
	t.Cleanup(cancel)
	return ctx
}

// pairOutput runs RunPair, both sides printing to one buffer.
func pairOutput(t *testing.T, sc ServerConfig, cc ClientConfig) (client, server Report, stdout string) {
	t.Helper()
	var out, diag strings.Builder
	cc.Output = Output{Stdout: &out, Stderr: &diag, JSON: cc.Output.JSON}
	sc.Endpoint, cc.Endpoint = loopback, loopback
	client, server, err := RunPair(guardedContext(t), sc, cc)
	if err != nil {
		t.Fatalf("RunPair: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), diag.String())
	}
	return client, server, out.String()
}

func TestLoopbackHashesMatch(t *testing.T) {
	const total = 300_500 // the last of the 301 messages is short
	client, server, _ := pairOutput(t, ServerConfig{}, ClientConfig{Bytes: total, Streams: 3})
	if client.Sent.Bytes != total || client.Sent.Messages != 301 || len(client.Sent.Streams) != 3 {
		t.Errorf("client sent %d bytes in %d messages on %d streams, want %d in 301 on 3",
			client.Sent.Bytes, client.Sent.Messages, len(client.Sent.Streams), total)
	}
	if err := Compare(client.Sent, server.Received); err != nil {
		t.Error(err)
	}
	if client.Received.Bytes != 0 || server.Sent.Bytes != 0 {
		t.Errorf("traffic back without --echo: %d bytes", client.Received.Bytes)
	}
	// The statistics are taken after the association ended: they must
	// still hold the final numbers.
	if len(client.Paths) != 1 || client.Paths[0].BytesSent < total || !client.Paths[0].Primary {
		t.Errorf("client paths %+v, want one primary path that sent at least %d bytes", client.Paths, total)
	}
}

func TestLoopbackEcho(t *testing.T) {
	client, server, _ := pairOutput(t, ServerConfig{Echo: true},
		ClientConfig{Bytes: 200_000, Size: 3000, Streams: 2, PPID: 42, Echo: true})
	if err := Compare(client.Sent, client.Received); err != nil {
		t.Errorf("echo: %v", err)
	}
	if err := Compare(server.Received, server.Sent); err != nil {
		t.Errorf("server echoed other than it received: %v", err)
	}
	if client.EchoMismatches != 0 || client.Received.Bytes != 200_000 {
		t.Errorf("%d echo mismatches, %d bytes echoed", client.EchoMismatches, client.Received.Bytes)
	}
}

// TestLoopbackReverse: the server sends what the client's configuration
// asks for, the client checks every message and both hash the same bytes.
func TestLoopbackReverse(t *testing.T) {
	client, server, _ := pairOutput(t, ServerConfig{},
		ClientConfig{Bytes: 200_000, Size: 3000, Streams: 2, PPID: 42, Reverse: true})
	if client.Sent.Bytes != 0 || client.Received.Bytes != 200_000 || client.EchoMismatches != 0 {
		t.Errorf("client sent %d bytes, received %d, %d mismatches", client.Sent.Bytes, client.Received.Bytes, client.EchoMismatches)
	}
	if err := Compare(server.Sent, client.Received); err != nil {
		t.Errorf("received other than the server sent: %v", err)
	}
	if server.Received.Bytes != 0 {
		t.Errorf("the server counts %d bytes received, the request included", server.Received.Bytes)
	}
}

// TestReverseRequest: a request reads back, and one the server could not
// honour is refused.
func TestReverseRequest(t *testing.T) {
	want := ClientConfig{Size: 1200, Bytes: 5000, Duration: 3 * time.Second, Streams: 3, PPID: 7, Unordered: true, Bitrate: 1e6}
	got, ok := decodeReverse(encodeReverse(want), 16)
	if !ok || got.Size != want.Size || got.Bytes != want.Bytes || got.Duration != want.Duration || got.Streams != want.Streams ||
		got.PPID != want.PPID || !got.Unordered || got.Bitrate != want.Bitrate {
		t.Errorf("read back %+v, want %+v", got, want)
	}
	if _, ok := decodeReverse(encodeReverse(want), 2); ok {
		t.Error("accepted 3 streams where the association has 2")
	}
	for _, bad := range []string{"", "reverse", "hello world",
		"reverse size=99999999 bytes=0 time=0 streams=1 ppid=0 unordered=false bitrate=0",
		"reverse size=10 bytes=-1 time=0 streams=1 ppid=0 unordered=false bitrate=0",
		"reverse size=10 bytes=0 time=0 streams=1 ppid=1885696614 unordered=false bitrate=0"} {
		if c, ok := decodeReverse([]byte(bad), 16); ok {
			t.Errorf("%q accepted as %+v", bad, c)
		}
	}
}

// jsonKeys lists the field names of the JSON form, which scripts rely on.
var jsonKeys = map[string][]string{
	"report": {"association", "echo_mismatches", "error", "intervals", "local_port", "paths", "peer", "peer_port",
		"received", "retransmissions", "role", "seconds", "sent"},
	"flow":   {"bytes", "mbit_per_s", "messages", "msg_per_s", "streams"},
	"stream": {"bytes", "messages", "sha256", "stream"},
	"path": {"bytes_received", "bytes_sent", "cwnd", "errors", "local", "mtu", "mtu_search", "primary", "remote",
		"retransmissions", "rto_ms", "srtt_ms", "state"},
}

func TestLoopbackJSON(t *testing.T) {
	client, server, stdout := pairOutput(t, ServerConfig{}, ClientConfig{Bytes: 100_000, Output: Output{JSON: true}})
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout has %d lines, want one JSON object per side:\n%s", len(lines), stdout)
	}
	byRole := map[string]Report{}
	for _, line := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, line)
		}
		checkJSON(t, obj)
		var r Report
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		byRole[r.Role] = r
	}
	if err := Compare(byRole["client"].Sent, byRole["server"].Received); err != nil {
		t.Errorf("hashes in the JSON: %v", err)
	}
	if byRole["client"].Sent.Streams[0].SHA256 != client.Sent.Streams[0].SHA256 || byRole["server"].Peer != server.Peer {
		t.Error("the JSON differs from the reports returned")
	}
}

// checkJSON checks the keys of a report, of its flows and of each stream
// and path in them.
func checkJSON(t *testing.T, report map[string]any) {
	t.Helper()
	checkKeys(t, "report", report)
	for _, dir := range []string{"sent", "received"} {
		flow, _ := report[dir].(map[string]any)
		checkKeys(t, "flow", flow)
		for _, s := range asList(flow["streams"]) {
			checkKeys(t, "stream", s)
		}
	}
	paths := asList(report["paths"])
	if len(paths) == 0 {
		t.Error("no paths")
	}
	for _, p := range paths {
		checkKeys(t, "path", p)
	}
}

// asList returns a JSON array of objects; nil if v is not one.
func asList(v any) []map[string]any {
	list, _ := v.([]any)
	var out []map[string]any
	for _, el := range list {
		obj, _ := el.(map[string]any)
		out = append(out, obj)
	}
	return out
}

func checkKeys(t *testing.T, what string, obj map[string]any) {
	t.Helper()
	if got := slices.Sorted(maps.Keys(obj)); !slices.Equal(got, jsonKeys[what]) {
		t.Errorf("%s keys %v, want %v", what, got, jsonKeys[what])
	}
}

func TestLoopbackTextSummary(t *testing.T) {
	client, _, stdout := pairOutput(t, ServerConfig{}, ClientConfig{Bytes: 50_000})
	for _, want := range []string{
		"+0.", " comm-up\n", " shutdown-complete\n", "#1 ", // events, the server's labelled
		"client association 1", "server association 1",
		client.Sent.Streams[0].SHA256,
		"path  ", "primary", "rto", "bytes sent", "retransmissions",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "{") {
		t.Errorf("JSON in the text output:\n%s", stdout)
	}
}

// startServer runs a server on loopback until the test ends.
func startServer(t *testing.T, ctx context.Context, cfg ServerConfig) (*Server, <-chan error) {
	t.Helper()
	cfg.Endpoint = loopback
	srv, err := Listen(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	return srv, served
}

func clientOf(srv *Server, cc ClientConfig) ClientConfig {
	cc.Endpoint = loopback
	cc.Remote = stack.Remote{Addrs: srv.LocalAddrs(), Port: srv.Port(), UDPPort: srv.UDPPort()}
	return cc
}

// waitServe waits for Serve to return.
func waitServe(t *testing.T, served <-chan error) {
	t.Helper()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(hangGuard):
		t.Fatal("Serve did not return")
	}
}

func TestServeOnceReturnsAfterOneAssociation(t *testing.T) {
	ctx := guardedContext(t)
	var reports []Report
	srv, served := startServer(t, ctx, ServerConfig{Once: true, OnReport: func(r Report) { reports = append(reports, r) }})
	if _, err := RunClient(ctx, clientOf(srv, ClientConfig{Bytes: 10_000})); err != nil {
		t.Fatal(err)
	}
	waitServe(t, served)
	if len(reports) != 1 || reports[0].Received.Bytes != 10_000 {
		t.Errorf("reports %+v, want one of 10000 bytes", reports)
	}
}

func TestServeConcurrentAssociations(t *testing.T) {
	ctx, stop := context.WithCancel(guardedContext(t))
	reports := make(chan Report, 2)
	srv, served := startServer(t, ctx, ServerConfig{OnReport: func(r Report) { reports <- r }})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := RunClient(ctx, clientOf(srv, ClientConfig{Bytes: 100_000, Streams: 2})); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	ids := []int{(<-reports).Association, (<-reports).Association}
	stop()
	waitServe(t, served)
	slices.Sort(ids)
	if !slices.Equal(ids, []int{1, 2}) {
		t.Errorf("associations numbered %v, want 1 and 2", ids)
	}
}

// notifyWriter closes ch at the first write.
type notifyWriter struct {
	once sync.Once
	ch   chan struct{}
}

func (w *notifyWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { close(w.ch) })
	return len(p), nil
}

// TestServerStopShutsDownGracefully stops a server in the middle of a
// run: the association is shut down, not aborted, so everything the client
// queued still arrives and both sides report.
func TestServerStopShutsDownGracefully(t *testing.T) {
	ctx := guardedContext(t)
	srvCtx, stop := context.WithCancel(ctx)
	accepted := &notifyWriter{ch: make(chan struct{})}
	var server Report
	srv, served := startServer(t, srvCtx, ServerConfig{
		Output:   Output{JSON: true, Stderr: accepted}, // events go to stderr
		OnReport: func(r Report) { server = r },
	})
	done := make(chan struct{})
	var client Report
	var err error
	go func() {
		defer close(done)
		client, err = RunClient(ctx, clientOf(srv, ClientConfig{Duration: hangGuard}))
	}()
	<-accepted.ch
	stop()
	<-done
	waitServe(t, served)
	if err == nil || client.Error == "" {
		t.Errorf("the client did not notice that the server ended the run (error %v)", err)
	}
	if server.Error != "" {
		t.Errorf("the server's association ended abnormally: %s", server.Error)
	}
	if err := Compare(client.Sent, server.Received); err != nil {
		t.Error(err)
	}
}

func TestClientConfigRejects(t *testing.T) {
	for _, cc := range []ClientConfig{
		{Size: MaxMessageSize + 1},
		{Streams: MaxStreams + 1},
		{Bytes: -1},
	} {
		if _, err := RunClient(t.Context(), cc); err == nil {
			t.Errorf("%+v accepted", cc)
		}
	}
}

// TestLoopbackNoVerify: with NoVerify on both ends the counts still match
// and nothing is hashed, in both directions; an echo comes back counted,
// not compared.
func TestLoopbackNoVerify(t *testing.T) {
	for _, tc := range []struct {
		name string
		cc   ClientConfig
	}{
		{"forward", ClientConfig{Bytes: 100_000, Size: 1000, Streams: 2, NoVerify: true}},
		{"echo", ClientConfig{Bytes: 100_000, Size: 1000, Echo: true, NoVerify: true}},
		{"reverse", ClientConfig{Bytes: 100_000, Size: 1000, Reverse: true, NoVerify: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client, server, _ := pairOutput(t, ServerConfig{NoVerify: true, Echo: tc.cc.Echo}, tc.cc)
			sent, received := client.Sent, server.Received
			if tc.cc.Reverse {
				sent, received = server.Sent, client.Received
			}
			if sent.Bytes != 100_000 || sent.Messages != 100 {
				t.Errorf("sent %d bytes in %d messages, want 100000 in 100", sent.Bytes, sent.Messages)
			}
			if err := Compare(sent, received); err != nil {
				t.Error(err)
			}
			for _, f := range []Flow{client.Sent, client.Received, server.Sent, server.Received} {
				for _, s := range f.Streams {
					if s.SHA256 != "" {
						t.Errorf("stream %d hashed (%s) with NoVerify", s.Stream, s.SHA256)
					}
				}
			}
			if client.EchoMismatches != 0 {
				t.Errorf("%d echo mismatches", client.EchoMismatches)
			}
		})
	}
}

// TestCompareWithoutHash: a report without hashes is compared by counts,
// which must still match.
func TestCompareWithoutHash(t *testing.T) {
	hashed := Flow{Streams: []StreamReport{{Stream: 0, Messages: 2, Bytes: 10, SHA256: "ab"}}}
	bare := Flow{Streams: []StreamReport{{Stream: 0, Messages: 2, Bytes: 10}}}
	short := Flow{Streams: []StreamReport{{Stream: 0, Messages: 2, Bytes: 9}}}
	if err := Compare(hashed, bare); err != nil {
		t.Errorf("same counts, one side without a hash: %v", err)
	}
	if err := Compare(bare, short); err == nil {
		t.Error("different byte counts compared equal")
	}
}
