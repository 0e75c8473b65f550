package registrar

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// parseMetrics reads the Prometheus text format as a scraper would: every
// sample belongs to the family its HELP and TYPE lines announced, and has
// a value. It returns the samples by name and labels.
func parseMetrics(t *testing.T, b []byte) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	family := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			family, _, _ = strings.Cut(rest, " ")
			continue
		}
		if rest, ok := strings.CutPrefix(line, "# TYPE "+family+" "); ok && (rest == "counter" || rest == "gauge") {
			continue
		}
		key, val, ok := strings.Cut(line, " ")
		v, err := strconv.ParseUint(val, 10, 64)
		if name, _, _ := strings.Cut(key, "{"); !ok || err != nil || name != family {
			t.Fatalf("line %q is no sample of family %q", line, family)
		}
		out[key] = v
	}
	return out
}

// want checks metric samples.
func wantMetrics(t *testing.T, got map[string]uint64, want map[string]uint64) {
	t.Helper()
	for k, v := range want {
		if g, ok := got["mobisctp_registrar_"+k]; !ok || g != v {
			t.Errorf("%s = %d (present %v), want %d", k, g, ok, v)
		}
	}
}

// A Prometheus scraper reads the registrar's counters over HTTP on
// loopback.
func TestMetricsScrape(t *testing.T) {
	r := newLoopback(t, Config{})
	pe := dialRegistrar(t, loopbackEndpoint(t), r)
	pu := dialRegistrar(t, loopbackEndpoint(t), r)
	pe.mustRegister("echo", element(1, roundRobin, loopback))
	pu.resolve("echo", 1)
	pu.resolve("echo", 1)
	if res := pu.register("echo", element(1, roundRobin, loopback)); !res.Reject { // another association's element
		t.Fatalf("claim on another association's element accepted: %+v", res)
	}
	srv := httptest.NewServer(r.MetricsHandler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || ct != MetricsContentType {
		t.Errorf("status %d, content type %q", resp.StatusCode, ct)
	}
	wantMetrics(t, parseMetrics(t, body), map[string]uint64{
		"elements": 1, "pools": 1, "sessions": 2, "registrations_total": 1, "resolutions_total": 2,
		`refusals_total{reason="ownership"}`: 1, `refusals_total{reason="max_elements"}`: 0,
		"keepalive_failures_total": 0, "enrp_peers": 0, "enrp_takeovers_total": 0,
	})
}

// The ENRP metrics: peers, a takeover, and an element that stops answering
// its keep-alives.
func TestMetricsENRP(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		r1 := pn.start(1)
		r2 := pn.start(2, 1)
		pn.element(0, "m", 1)
		pn.element(1, "m", 2)
		waitAgree(t, 10*time.Second, 2, []wire.ServerID{1, 2}, r1, r2)
		wantMetrics(t, parseMetrics(t, r1.Metrics()), map[string]uint64{
			"elements": 2, "registrations_total": 1, "enrp_peers": 1, "enrp_associations": 1, "enrp_takeovers_total": 0,
		})
		dropHost(pn.n, registrarAddr(2))
		waitAgree(t, time.Minute, 2, []wire.ServerID{1}, r1)
		dropHost(pn.n, pn.elems[0].pe.UserTransport.Addrs[0])
		time.Sleep(DefaultKeepAliveInterval + DefaultKeepAliveTimeout + time.Second)
		wantMetrics(t, parseMetrics(t, r1.Metrics()), map[string]uint64{
			"elements": 1, "enrp_peers": 0, "enrp_takeovers_total": 1, "enrp_peers_lost_total": 1,
			"keepalive_failures_total": 1, `removals_total{reason="keepalive_timeout"}`: 1,
		})
	})
}
