package interop

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mobisctp/mobisctp/internal/tshark"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// roles says who did what in a case, which fixes the direction of each
// chunk type in the capture.
type roles struct {
	weOpen    bool // we sent the INIT
	weSend    bool // we sent DATA
	peerSends bool // the peer sent DATA
	weClose   bool // we sent the SHUTDOWN
}

// direction of a packet relative to our endpoint.
type direction bool

const (
	sent     direction = true
	received direction = false
)

func (d direction) String() string {
	if d == sent {
		return "sent"
	}
	return "received"
}

// flow is a chunk type in one direction.
type flow struct {
	dir  direction
	kind wire.ChunkType
}

func (f flow) String() string { return fmt.Sprintf("%v %v", f.kind, f.dir) }

// expected lists the chunk flows a capture of the case must contain.
func (r roles) expected() []flow {
	by := func(us bool) direction {
		if us {
			return sent
		}
		return received
	}
	want := []flow{
		{by(r.weOpen), wire.TypeInit}, {by(!r.weOpen), wire.TypeInitAck},
		{by(r.weOpen), wire.TypeCookieEcho}, {by(!r.weOpen), wire.TypeCookieAck},
		{by(r.weClose), wire.TypeShutdown}, {by(!r.weClose), wire.TypeShutdownAck},
		{by(r.weClose), wire.TypeShutdownComplete},
	}
	if r.weSend {
		want = append(want, flow{sent, wire.TypeData}, flow{received, wire.TypeSack})
	}
	if r.peerSends {
		want = append(want, flow{received, wire.TypeData}, flow{sent, wire.TypeSack})
	}
	return want
}

// traffic is what a capture showed.
type traffic struct {
	packets     map[direction]int
	chunks      map[flow]int
	dataPackets map[direction]int // packets with DATA or I-DATA
	dataTSNsIn  int               // distinct TSNs of the DATA and I-DATA received
	tsnSpanIn   int               // from the lowest to the highest of them
}

// checkCapture has tshark decode the capture of our endpoint, whose UDP
// port is ourPort, and checks it against the roles of the case: no
// malformed frame, no expert error, a good CRC32c on every packet (none of
// the peers sent a zero checksum, so our endpoint does not accept them),
// every expected chunk flow present, and no ABORT.
//
// The payloads are test bytes, so tshark does not decode them: it picks a
// payload's protocol by SCTP port too, and an ephemeral port of ours is
// now and then one registered for an SCTP protocol (38412 is NGAP), which
// made "message 0" a malformed NGAP frame in one TestPionStreamReset run.
func checkCapture(t *testing.T, file string, ourPort int, r roles) traffic {
	t.Helper()
	fields := append([]string{"frame.time_relative", "udp.srcport", "ip.src", "ip.dst", "sctp.chunk_type", "sctp.data_tsn_raw"}, tshark.CleanFields...)
	frames := tshark.Decode(t, file, []string{"-d", fmt.Sprintf("udp.port==%d,sctp", ourPort), "-o", "sctp.ulp_dissection:FALSE"}, fields...)
	if len(frames) == 0 {
		t.Fatalf("capture %s: no packet", file)
	}
	ours := strconv.Itoa(ourPort)
	tr := traffic{packets: map[direction]int{}, chunks: map[flow]int{}, dataPackets: map[direction]int{}}
	tsnsIn := map[uint32]bool{}
	for i, f := range frames {
		dir := received
		if first(f, "udp.srcport") == ours {
			dir = sent
		}
		tr.packets[dir]++
		if len(f["sctp.data_tsn_raw"]) > 0 {
			tr.dataPackets[dir]++
		}
		if dir == received {
			for _, s := range f["sctp.data_tsn_raw"] {
				tsn, err := strconv.ParseUint(s, 10, 32)
				if err != nil {
					t.Errorf("frame %d: TSN %q", i+1, s)
				}
				tsnsIn[uint32(tsn)] = true
			}
		}
		for _, s := range f["sctp.chunk_type"] {
			n, err := strconv.ParseUint(s, 10, 8)
			if err != nil {
				t.Errorf("frame %d: chunk type %q", i+1, s)
				continue
			}
			tr.chunks[flow{dir, wire.ChunkType(n)}]++
		}
	}
	tr.dataTSNsIn, tr.tsnSpanIn = len(tsnsIn), span(tsnsIn)
	t.Logf("capture: %d packets sent, %d received; chunks: %s", tr.packets[sent], tr.packets[received], summary(tr.chunks))
	tr.logAckRatio(t)
	const maxReported = 20
	if bad := tshark.Clean(frames); len(bad) > 0 {
		t.Errorf("tshark found %d problems in %s, first ones:\n%s", len(bad), file, strings.Join(bad[:min(len(bad), maxReported)], "\n"))
	}
	for _, want := range r.expected() {
		alt := want
		if want.kind == wire.TypeData {
			alt.kind = wire.TypeIData // either carries user data
		}
		if tr.chunks[want]+tr.chunks[alt] == 0 {
			t.Errorf("no %v in the capture", want)
		}
	}
	for _, dir := range []direction{sent, received} {
		if n := tr.chunks[flow{dir, wire.TypeAbort}]; n > 0 {
			t.Errorf("%d ABORT %v", n, dir)
		}
	}
	if tr.chunks[flow{sent, wire.TypeAbort}]+tr.chunks[flow{received, wire.TypeAbort}] > 0 {
		logBeforeAbort(t, frames, ours)
	}
	return tr
}

// logBeforeAbort logs the frames up to the first ABORT, so that a failure
// on a machine where the capture is gone still shows what drew it.
func logBeforeAbort(t *testing.T, frames []tshark.Frame, ours string) {
	t.Helper()
	const before = 12
	abort := strconv.Itoa(int(wire.TypeAbort))
	at := slices.IndexFunc(frames, func(f tshark.Frame) bool { return slices.Contains(f["sctp.chunk_type"], abort) })
	var b strings.Builder
	for i := max(at-before, 0); i <= at; i++ {
		f := frames[i]
		dir := received
		if first(f, "udp.srcport") == ours {
			dir = sent
		}
		var kinds []string
		for _, c := range f["sctp.chunk_type"] {
			n, _ := strconv.ParseUint(c, 10, 8)
			kinds = append(kinds, wire.ChunkType(n).String())
		}
		fmt.Fprintf(&b, "\n  %d %ss %s %s->%s %s", i+1, first(f, "frame.time_relative"), dir, first(f, "ip.src"), first(f, "ip.dst"), strings.Join(kinds, ","))
	}
	t.Logf("the frames up to the first ABORT:%s", b.String())
}

// logAckRatio logs how many packets with DATA each SACK acknowledged, both
// ways. RFC 9260 section 6.2 asks for a SACK for at least every second
// packet with DATA; this is information, as the number depends on how the
// packets were batched.
func (tr traffic) logAckRatio(t *testing.T) {
	t.Helper()
	for _, dir := range []direction{received, sent} {
		acks := tr.chunks[flow{!dir, wire.TypeSack}]
		if tr.dataPackets[dir] > 0 && acks > 0 {
			by := "our"
			if dir == sent {
				by = "the peer's"
			}
			t.Logf("%s SACKs: one per %.1f packets with DATA", by, float64(tr.dataPackets[dir])/float64(acks))
		}
	}
}

// span returns how many TSNs lie from the lowest to the highest of a set,
// in serial number arithmetic (RFC 9260 section 1.6), for sets spanning
// less than 2^31.
func span(tsns map[uint32]bool) int {
	if len(tsns) == 0 {
		return 0
	}
	var ref uint32 // any member: distances from it are signed
	for ref = range tsns {
		break
	}
	lo, hi := int32(0), int32(0)
	for tsn := range tsns {
		d := int32(tsn - ref)
		lo, hi = min(lo, d), max(hi, d)
	}
	return int(hi-lo) + 1
}

func first(f tshark.Frame, field string) string {
	if v := f[field]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// summary prints chunk counts, sent ones first, in chunk type order.
func summary(counts map[flow]int) string {
	keys := make([]flow, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b flow) int {
		if a.dir != b.dir {
			if a.dir == sent {
				return -1
			}
			return 1
		}
		return int(a.kind) - int(b.kind)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%v %d", k, counts[k])
	}
	return strings.Join(parts, ", ")
}
