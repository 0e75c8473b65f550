package perf

import (
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// Report is the outcome of one association. Its JSON form is the --json
// output; the field names are stable.
type Report struct {
	Role        string `json:"role"`        // "client" or "server"
	Association int    `json:"association"` // sequence number within the run, from 1
	LocalPort   uint16 `json:"local_port"`  // SCTP ports
	PeerPort    uint16 `json:"peer_port"`
	// Peer is the peer's primary address and SCTP port when the
	// association started.
	Peer string `json:"peer"`
	// Seconds is the measured time: for a client from the established
	// association until its shutdown completed, for a server from
	// accepting the association until the peer's shutdown.
	Seconds float64 `json:"seconds"`
	// Sent and Received are the user messages of each direction: for a
	// client the payload and the echoes, for a server the payload and
	// what it echoed.
	Sent     Flow `json:"sent"`
	Received Flow `json:"received"`
	// Retransmissions counts the DATA chunks this side sent again.
	Retransmissions uint64 `json:"retransmissions"`
	// EchoMismatches counts echoed messages that differ from those the
	// client sent (stream, PPID, unordered flag or bytes); always 0 for a
	// server.
	EchoMismatches uint64 `json:"echo_mismatches"`
	// Error says why the association ended abnormally; empty otherwise.
	Error string       `json:"error"`
	Paths []PathReport `json:"paths"`
	// Intervals is the series of Output.Interval steps: what the client
	// sent or the server received in each.
	Intervals []Interval `json:"intervals"`
}

// Interval is one step of the series, in seconds since the association
// began.
type Interval struct {
	Start float64 `json:"start"`
	End   float64 `json:"end"`
	Bytes uint64  `json:"bytes"`
	Mbps  float64 `json:"mbit_per_s"`
}

// Flow is one direction's traffic.
type Flow struct {
	Bytes    uint64         `json:"bytes"`
	Messages uint64         `json:"messages"`
	Mbps     float64        `json:"mbit_per_s"`
	MsgRate  float64        `json:"msg_per_s"`
	Streams  []StreamReport `json:"streams"` // the streams used, by identifier
}

// StreamReport is one stream's share of a flow. SHA256 hashes the payload
// bytes of its messages in order.
type StreamReport struct {
	Stream   uint16 `json:"stream"`
	Messages uint64 `json:"messages"`
	Bytes    uint64 `json:"bytes"`
	SHA256   string `json:"sha256"`
}

// PathReport is the final state of one path (one peer address).
type PathReport struct {
	Remote          string  `json:"remote"` // peer address and UDP port
	Local           string  `json:"local"`  // source address
	State           string  `json:"state"`
	Primary         bool    `json:"primary"`
	SRTTms          float64 `json:"srtt_ms"`
	RTOms           float64 `json:"rto_ms"`
	Cwnd            int     `json:"cwnd"`
	Errors          int     `json:"errors"`
	MTU             int     `json:"mtu"`        // largest SCTP packet in use
	MTUSearch       string  `json:"mtu_search"` // the path MTU search's state, or "fixed"
	BytesSent       uint64  `json:"bytes_sent"` // user data, retransmissions included
	BytesReceived   uint64  `json:"bytes_received"`
	Retransmissions uint64  `json:"retransmissions"`
}

// assocReport holds what a Report is made from.
type assocReport struct {
	role     string
	id       int
	peer     string
	elapsed  time.Duration
	sent     *flow
	received *flow
	// mismatches counts echoes that differ from what was sent.
	mismatches uint64
	stats      stack.Stats
	err        error
	intervals  []Interval
}

func (r assocReport) build() Report {
	secs := r.elapsed.Seconds()
	rep := Report{
		Role:            r.role,
		Association:     r.id,
		LocalPort:       r.stats.LocalPort,
		PeerPort:        r.stats.PeerPort,
		Peer:            r.peer,
		Seconds:         secs,
		Sent:            r.sent.report(secs),
		Received:        r.received.report(secs),
		Retransmissions: r.stats.Retransmissions,
		EchoMismatches:  r.mismatches,
		Paths:           make([]PathReport, len(r.stats.Paths)),
		Intervals:       r.intervals,
	}
	if rep.Intervals == nil {
		rep.Intervals = []Interval{}
	}
	if r.err != nil {
		rep.Error = r.err.Error()
	}
	for i, p := range r.stats.Paths {
		rep.Paths[i] = pathReport(p)
	}
	return rep
}

func pathReport(p stack.PathInfo) PathReport {
	return PathReport{
		Remote:          p.Remote.String(),
		Local:           p.Local.String(),
		State:           p.State.String(),
		Primary:         p.Primary,
		SRTTms:          millis(p.SRTT),
		RTOms:           millis(p.RTO),
		Cwnd:            p.Cwnd,
		Errors:          p.Errors,
		MTU:             p.MTU,
		MTUSearch:       p.MTUSearch,
		BytesSent:       p.BytesSent,
		BytesReceived:   p.BytesReceived,
		Retransmissions: p.Retransmissions,
	}
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
