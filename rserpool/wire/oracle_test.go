package wire

import (
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/tshark"
	sctp "github.com/mobisctp/mobisctp/stack/wire"
)

// TestTsharkOracle writes every golden ASAP and ENRP message, each in an
// SCTP DATA chunk with the ASAP or ENRP payload protocol identifier, to a
// pcapng file and has tshark decode it: no malformed frame or expert
// error, good checksums, and each message type named as we meant it.
// tshark does not check the message length field; the golden and
// malformed-input tests of this package do.
func TestTsharkOracle(t *testing.T) {
	type frame struct {
		field string // tshark field holding the message type
		typ   int
		name  string
	}
	var want []frame
	var payloads [][]byte
	var ppids []uint32
	for _, c := range asapGoldens() {
		payloads = append(payloads, AppendASAP(nil, c.v))
		ppids = append(ppids, PPIDASAP)
		want = append(want, frame{"asap.message_type", int(c.v.ASAPType()), c.name})
	}
	for _, c := range enrpGoldens() {
		payloads = append(payloads, AppendENRP(nil, c.v))
		ppids = append(ppids, PPIDENRP)
		want = append(want, frame{"enrp.message_type", int(c.v.ENRPType()), c.name})
	}
	file := filepath.Join(t.TempDir(), "rserpool.pcapng")
	w, err := pcapng.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("192.0.2.1:9899")
	dst := netip.MustParseAddrPort("192.0.2.2:9899")
	for i, p := range payloads {
		pkt := sctp.Header{SrcPort: 3863, DstPort: 3863, VerificationTag: 1}.Append(nil)
		d := sctp.Data{Flags: sctp.FlagBegin | sctp.FlagEnd, TSN: uint32(i), PPID: ppids[i], Payload: p}
		pkt = d.Append(pkt)
		sctp.SetChecksum(pkt)
		if err := w.WriteUDP(time.Unix(1700000000, int64(i)), src, dst, pkt); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fields := append([]string{"asap.message_type", "enrp.message_type"}, tshark.CleanFields...)
	frames := tshark.Decode(t, file, nil, fields...)
	if len(frames) != len(want) {
		t.Fatalf("tshark decoded %d frames, wrote %d", len(frames), len(want))
	}
	for _, bad := range tshark.Clean(frames) {
		t.Error(bad)
	}
	for i, f := range frames {
		// The first occurrence is the message; an Error message carries
		// the unrecognized message it reports, which tshark decodes too.
		got := f[want[i].field]
		if len(got) == 0 || got[0] != strconv.Itoa(want[i].typ) {
			t.Errorf("frame %d (%s): tshark %s = %v, want %d", i+1, want[i].name, want[i].field, got, want[i].typ)
		}
	}
}
