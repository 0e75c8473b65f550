package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// summary is what mobile prints at the end; with --json it is the last
// object, {"event": "summary", ...}, with these fields.
type summary struct {
	Sent            flowReport
	Received        flowReport
	SameAssociation bool
	TagsBefore      []uint32 // the verification tags when the association was set up
	TagsAfter       []uint32 // every tag seen between the two ports, at the end
	Inits           int      // packets with an INIT chunk between the two ports
	Moves           []*move
	Retransmissions uint64 // DATA chunks SCTP sent again
	MessagesResent  uint64 // messages the Conn sent again after failovers
	Failovers       uint64 // new associations after a fallback
	Paths           []pathReport
	End             *resources
	Error           string
}

// summary is what the transfer knows of the summary: its flows, the
// counts at the end and its error.
func (t *transfer) summary(moves []*move, err error) summary {
	s := summary{Sent: t.sent.report(), Received: t.got.report(), Moves: moves, End: t.end}
	if t.final != nil {
		s.Retransmissions, s.Paths = t.final.Retransmissions, pathReports(t.final.Paths)
	}
	cs := t.c.Stats()
	s.MessagesResent, s.Failovers = cs.Resent, cs.Failovers
	if err != nil {
		s.Error = err.Error()
	}
	return s
}

// pathReport is one path at the end.
type pathReport struct {
	Remote  string `json:"remote"`
	Local   string `json:"local"`
	State   string `json:"state"`
	Primary bool   `json:"primary"`
}

func pathReports(paths []stack.PathInfo) []pathReport {
	out := make([]pathReport, len(paths))
	for i, p := range paths {
		out[i] = pathReport{Remote: p.Remote.String(), Local: p.Local.String(), State: p.State.String(), Primary: p.Primary}
	}
	return out
}

// moveReport is one move in the JSON summary, in seconds since the
// start and milliseconds of recovery (-1: none).
type moveReport struct {
	Started    float64    `json:"started"`
	Gained     float64    `json:"address_gained,omitempty"`
	Confirmed  float64    `json:"path_confirmed,omitempty"`
	FirstData  float64    `json:"first_data,omitempty"`
	RecoveryMS float64    `json:"recovery_ms"`
	Fallback   string     `json:"fallback,omitempty"`
	Failover   bool       `json:"failover,omitempty"`
	Resent     int        `json:"resent,omitempty"`
	Failed     string     `json:"failed,omitempty"`
	Settled    *resources `json:"settled,omitempty"`
}

func (s *summary) print(out *reporter) {
	since := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return t.Sub(out.start).Seconds()
	}
	moves := make([]moveReport, len(s.Moves))
	for i, m := range s.Moves {
		moves[i] = moveReport{Started: since(m.Started), Gained: since(m.Gained), Confirmed: since(m.Confirmed), FirstData: since(m.FirstData),
			RecoveryMS: ms(m.recovery()), Fallback: m.Fallback, Failover: m.Failover, Resent: m.Resent, Failed: m.Failed, Settled: m.Settled}
	}
	out.event("summary", s.text(out.start), map[string]any{
		"sent": s.Sent, "received": s.Received, "same_association": s.SameAssociation,
		"tags_before": s.TagsBefore, "tags_after": s.TagsAfter, "inits": s.Inits,
		"moves": moves, "retransmissions": s.Retransmissions, "messages_resent": s.MessagesResent, "failovers": s.Failovers,
		"paths": s.Paths, "end": s.End, "error": s.Error,
	})
}

func ms(d time.Duration) float64 {
	if d < 0 {
		return -1
	}
	return float64(d.Microseconds()) / 1000
}

// text is the summary for people.
func (s *summary) text(start time.Time) string {
	var b strings.Builder
	b.WriteString("summary\n")
	fmt.Fprintf(&b, "  sent:     %d bytes in %d messages, SHA-256 %s\n", s.Sent.Bytes, s.Sent.Messages, s.Sent.SHA256)
	fmt.Fprintf(&b, "  received: %d bytes in %d messages, SHA-256 %s\n", s.Received.Bytes, s.Received.Messages, s.Received.SHA256)
	fmt.Fprintf(&b, "  same association: %v (verification tags %08x at the start, %08x seen in all; %d INIT)\n",
		s.SameAssociation, s.TagsBefore, s.TagsAfter, s.Inits)
	for i, m := range s.Moves {
		fmt.Fprintf(&b, "  move %d: handover at %+.3fs", i+1, m.Started.Sub(start).Seconds())
		if !m.Gained.IsZero() {
			fmt.Fprintf(&b, ", new address at %+.3fs", m.Gained.Sub(start).Seconds())
		}
		if r := m.recovery(); r >= 0 {
			fmt.Fprintf(&b, ", recovered %v later", r.Round(100*time.Microsecond))
		} else {
			b.WriteString(", not recovered")
		}
		if m.Fallback != "" {
			fmt.Fprintf(&b, ", fell back: %s", m.Fallback)
		}
		if m.Failover {
			fmt.Fprintf(&b, ", failed over to a new association (%d messages resent)", m.Resent)
		}
		if m.Failed != "" {
			fmt.Fprintf(&b, ", the failover failed: %s", m.Failed)
		}
		if r := m.Settled; r != nil {
			fmt.Fprintf(&b, "; %v later %v", settleDelay, r)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "  messages resent: %d after %d failovers; %d DATA chunks retransmitted by SCTP on the last association\n",
		s.MessagesResent, s.Failovers, s.Retransmissions)
	for _, p := range s.Paths {
		primary := ""
		if p.Primary {
			primary = ", primary"
		}
		fmt.Fprintf(&b, "  path %s from %s: %s%s\n", p.Remote, p.Local, p.State, primary)
	}
	if r := s.End; r != nil {
		fmt.Fprintf(&b, "  at the end: %v\n", r)
	}
	if s.Error != "" {
		fmt.Fprintf(&b, "  error: %s\n", s.Error)
	}
	return strings.TrimSuffix(b.String(), "\n")
}
