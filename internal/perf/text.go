package perf

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// summary renders a report for people: the two flows, the per-stream
// hashes and the per-path table.
func summary(r Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s association %d with %s, SCTP ports %d -> %d, %.3f s\n",
		r.Role, r.Association, r.Peer, r.LocalPort, r.PeerPort, r.Seconds)
	if r.Error != "" {
		fmt.Fprintf(&b, "  ended abnormally: %s\n", r.Error)
	}
	table(&b, func(w *tabwriter.Writer) {
		fmt.Fprintln(w, "\tbytes\tmessages\tMbit/s\tmsg/s")
		flowRow(w, "sent", r.Sent)
		flowRow(w, "received", r.Received)
	})
	fmt.Fprintf(&b, "  retransmissions %d, echo mismatches %d\n", r.Retransmissions, r.EchoMismatches)
	table(&b, func(w *tabwriter.Writer) {
		fmt.Fprintln(w, "stream\tdirection\tmessages\tbytes\tsha256")
		streamRows(w, "sent", r.Sent)
		streamRows(w, "received", r.Received)
	})
	table(&b, func(w *tabwriter.Writer) {
		fmt.Fprintln(w, "path\tlocal\tstate\tprimary\tsrtt\trto\tcwnd\tmtu\tbytes sent\tretransmissions")
		for _, p := range r.Paths {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d (%s)\t%d\t%d\n", p.Remote, p.Local, p.State, yesNo(p.Primary),
				duration(p.SRTTms), duration(p.RTOms), p.Cwnd, p.MTU, p.MTUSearch, p.BytesSent, p.Retransmissions)
		}
	})
	return b.String()
}

// table writes indented, aligned columns.
func table(b *strings.Builder, rows func(w *tabwriter.Writer)) {
	var out strings.Builder
	w := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	rows(w)
	w.Flush()
	for line := range strings.Lines(out.String()) {
		b.WriteString("  ")
		b.WriteString(line)
	}
}

func flowRow(w *tabwriter.Writer, name string, f Flow) {
	fmt.Fprintf(w, "%s\t%d\t%d\t%.2f\t%.1f\n", name, f.Bytes, f.Messages, f.Mbps, f.MsgRate)
}

func streamRows(w *tabwriter.Writer, direction string, f Flow) {
	for _, s := range f.Streams {
		fmt.Fprintf(w, "%d\t%s\t%d\t%d\t%s\n", s.Stream, direction, s.Messages, s.Bytes, s.SHA256)
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// duration prints milliseconds the way time.Duration does, rounded to
// microseconds.
func duration(ms float64) string {
	return time.Duration(ms * float64(time.Millisecond)).Round(time.Microsecond).String()
}
