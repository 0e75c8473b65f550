package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRegistrarMetrics runs the registrar command with --metrics on
// loopback, registers an element and scrapes the metrics over HTTP.
func TestRegistrarMetrics(t *testing.T) {
	if code, _, stderr := runArgs(t.Context(), "registrar", "--metrics", "9100"); code != exitUsage || !strings.Contains(stderr, "--metrics") {
		t.Errorf("--metrics 9100: exit %d, %q", code, stderr)
	}
	ctx, stop := context.WithCancel(t.Context())
	out := &lineWriter{first: make(chan string, 1)}
	var errs strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, &env{stdout: out, stderr: &errs}, []string{"registrar", "--listen", "127.0.0.1", "--udp-port", "0", "--metrics", "127.0.0.1:0", "--json"})
	}()
	var listening struct {
		UDPPort int `json:"udp_port"`
		Metrics string
	}
	if err := json.Unmarshal([]byte(<-out.first), &listening); err != nil || listening.Metrics == "" {
		t.Fatalf("first line: %+v, %v", listening, err)
	}
	registerElement(t, listening.UDPPort)
	resp, err := http.Get("http://" + listening.Metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nmobisctp_registrar_registrations_total 1\n", "\nmobisctp_registrar_elements 1\n", `mobisctp_registrar_refusals_total{reason="ownership"} 0`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	stop()
	if code := <-done; code != exitOK {
		t.Errorf("registrar exit %d: %s", code, errs.String())
	}
	if _, err := http.Get("http://" + listening.Metrics + "/metrics"); err == nil {
		t.Error("metrics still served after the registrar stopped")
	}
}
