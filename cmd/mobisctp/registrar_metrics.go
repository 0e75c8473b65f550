package main

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
)

// metricsHeaderTimeout bounds a scraper's request headers, so that idle
// connections cannot pile up on the metrics port.
const metricsHeaderTimeout = 10 * time.Second

// serveMetrics serves r's metrics in the Prometheus text format at
// http://addr/metrics; it returns the address bound (addr may have port 0)
// and a function that stops the server.
func serveMetrics(r *registrar.Registrar, addr netip.AddrPort) (netip.AddrPort, func(), error) {
	ln, err := net.Listen("tcp", addr.String())
	if err != nil {
		return netip.AddrPort{}, nil, fmt.Errorf("--metrics %v: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", r.MetricsHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: metricsHeaderTimeout}
	go srv.Serve(ln)
	return ln.Addr().(*net.TCPAddr).AddrPort(), func() { srv.Close() }, nil
}
