package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/mobisctp/mobisctp/internal/testenv"
)

// TestRegistrarPeers runs two registrar commands in this process on
// loopback, the second with --peer naming the first; an element that
// registers with the first appears at the second, and hsdump of the
// second shows it with its home and the peer table.
func TestRegistrarPeers(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	ports := testenv.FreeUDPPorts(t, 2)
	p1, p2 := ports[0], ports[1]
	out1 := &lineWriter{first: make(chan string, 1)}
	out2 := &watchWriter{want: `"event":"registered"`, seen: make(chan struct{})}
	var errs1, errs2 strings.Builder
	done := make(chan int, 2)
	go func() {
		done <- run(ctx, &env{stdout: out1, stderr: &errs1}, []string{"registrar", "--listen", "127.0.0.1", "--udp-port", "0",
			"--id", "1", "--enrp-port", fmt.Sprint(p1), "--json"})
	}()
	var listening struct {
		UDPPort int `json:"udp_port"`
	}
	if err := json.Unmarshal([]byte(<-out1.first), &listening); err != nil {
		t.Fatal(err)
	}
	go func() {
		done <- run(ctx, &env{stdout: out2, stderr: &errs2}, []string{"registrar", "--listen", "127.0.0.2", "--udp-port", "0",
			"--id", "2", "--enrp-port", fmt.Sprint(p2), "--peer", fmt.Sprintf("127.0.0.1:%d", p1), "--json"})
	}()
	registerElement(t, listening.UDPPort)
	<-out2.seen

	var l2 struct {
		UDPPort int `json:"udp_port"`
	}
	if err := json.Unmarshal([]byte(strings.SplitN(out2.String(), "\n", 2)[0]), &l2); err != nil {
		t.Fatal(err)
	}
	code, text, stderr := runArgs(t.Context(), "hsdump", "--registrar", "127.0.0.2:3863", "--registrar-udp-port", fmt.Sprint(l2.UDPPort))
	if code != exitOK || !strings.Contains(text, "$0000002a  sctp 127.0.0.1:7") || !strings.Contains(text, "home $00000001") ||
		!strings.Contains(text, "checksum of home $00000001: 0x") || !strings.Contains(text, " over 1 elements\n") ||
		!strings.Contains(text, "1 ENRP peers:\n  $00000001  sctp 127.0.0.1:"+fmt.Sprint(p1)) {
		t.Errorf("hsdump of the second registrar: exit %d\n%s%s", code, text, stderr)
	}
	stop()
	for range 2 {
		if code := <-done; code != exitOK {
			t.Errorf("registrar exit %d: %s%s", code, errs1.String(), errs2.String())
		}
	}
}

// TestRegistrarPeerFlagErrors checks the ENRP flags' errors.
func TestRegistrarPeerFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"registrar", "--peer", "0.0.0.0"}, "--peer"},
		{[]string{"registrar", "--peer", "127.0.0.1:0"}, "--peer"},
		{[]string{"registrar", "--enrp-port", "70000"}, "--enrp-port"},
		{[]string{"registrar", "--enrp-announce", "239.0.0.51"}, "--enrp-announce"},
	} {
		code, stdout, stderr := runArgs(t.Context(), tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and a message containing %q", tc.args, code, stderr, tc.want)
		}
	}
}

// watchWriter keeps what is written and closes seen once it contains
// want.
type watchWriter struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// freeUDPPort returns a UDP port free on loopback just now.
func freeUDPPort(t *testing.T) int { return int(testenv.FreeUDPPorts(t, 1)[0]) }
