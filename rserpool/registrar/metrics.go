package registrar

import (
	"bytes"
	"net/http"
	"strconv"
)

// The registrar's counters in the Prometheus text exposition format
// (version 0.0.4), for an operator's monitoring. It is written by hand: a
// few counters and gauges taken from Stats and ENRPStats need no client
// library and its dependencies.

// MetricsContentType is the media type of WriteMetrics' output.
const MetricsContentType = "text/plain; version=0.0.4; charset=utf-8"

// sample is one value of a metric, with its labels already formatted
// (`{reason="expired"}`) or none.
type sample struct {
	labels string
	value  uint64
}

// metricsBuf collects metric families in the text format.
type metricsBuf struct{ bytes.Buffer }

// family writes a metric family: its help, its type and its samples.
func (b *metricsBuf) family(name, typ, help string, samples ...sample) {
	name = "mobisctp_registrar_" + name
	b.WriteString("# HELP " + name + " " + help + "\n# TYPE " + name + " " + typ + "\n")
	for _, s := range samples {
		b.WriteString(name + s.labels + " " + strconv.FormatUint(s.value, 10) + "\n")
	}
}

func (b *metricsBuf) counter(name, help string, v uint64) {
	b.family(name, "counter", help, sample{"", v})
}
func (b *metricsBuf) gauge(name, help string, v int) {
	b.family(name, "gauge", help, sample{"", uint64(max(v, 0))})
}

// reason labels a sample with a reason.
func reason(r string, v uint64) sample { return sample{`{reason="` + r + `"}`, v} }

// Metrics returns the registrar's counters in the Prometheus text format.
func (r *Registrar) Metrics() []byte {
	s, e := r.Stats(), r.ENRPStats()
	var b metricsBuf
	b.gauge("elements", "Pool elements in the handlespace.", s.Elements)
	b.gauge("pools", "Pools in the handlespace.", s.Pools)
	b.gauge("sessions", "ASAP associations open.", s.Sessions)
	b.counter("registrations_total", "Registrations of new pool elements.", s.Registrations)
	b.counter("reregistrations_total", "Re-registrations of registered pool elements.", s.Reregistrations)
	b.counter("deregistrations_total", "Deregistrations answered.", s.Deregistrations)
	b.counter("resolutions_total", "Handle resolutions answered.", s.Resolutions)
	b.counter("keepalives_sent_total", "Endpoint Keep-Alives sent.", s.KeepAlivesSent)
	b.counter("keepalive_failures_total", "Pool elements removed for not answering an Endpoint Keep-Alive in time.", s.Removals.KeepAliveTimeout)
	rm := &s.Removals
	b.family("removals_total", "counter", "Pool elements removed, by reason.",
		reason("deregistered", rm.Deregistered), reason("keepalive_timeout", rm.KeepAliveTimeout), reason("expired", rm.Expired),
		reason("unreachable", rm.Unreachable), reason("association", rm.Association), reason("peer", rm.ByPeer))
	rf := &s.Refused
	b.family("refusals_total", "counter", "Requests refused to protect the elements and the registrar, by reason.",
		reason("ownership", rf.Ownership), reason("no_key", rf.NoKey), reason("key_pool", rf.KeyPool), reason("max_elements", rf.Elements), reason("max_pools", rf.Pools),
		reason("max_elements_per_assoc", rf.ElementsPerAssoc), reason("max_elements_per_addr", rf.ElementsPerAddr), reason("max_assocs", rf.Sessions))
	b.gauge("enrp_peers", "ENRP peers in the peer table.", e.Peers)
	b.gauge("enrp_associations", "ENRP associations with peers.", e.Links)
	b.counter("enrp_takeovers_total", "Takeovers of a failed peer's pool elements this registrar won.", e.TakeoversWon)
	b.counter("enrp_peers_lost_total", "ENRP peers found dead.", e.PeersLost)
	b.counter("enrp_updates_sent_total", "Handle Updates sent to peers.", e.UpdatesSent)
	b.counter("enrp_updates_received_total", "Handle Updates received from peers.", e.UpdatesReceived)
	b.counter("enrp_claims_refused_total", "Peers' claims on an element registered through a live session here, refused.", e.ClaimsRefused)
	b.counter("enrp_reclaimed_total", "Elements a peer dropped that this registrar became home for again, their session here living.", e.Reclaimed)
	return b.Bytes()
}

// MetricsHandler serves Metrics over HTTP, for a Prometheus scraper.
func (r *Registrar) MetricsHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", MetricsContentType)
		w.Write(r.Metrics())
	})
}
