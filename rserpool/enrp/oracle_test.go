package enrp

import (
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/tshark"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	sctp "github.com/mobisctp/mobisctp/stack/wire"
)

// TestTsharkDecodesWhatWeSend records every message the machines send in
// a run with every procedure (synchronisation in parts, updates, audit,
// takeover with its acknowledgements, the takeover suggestion flag), each
// in an SCTP DATA chunk with the ENRP payload protocol identifier, and has
// tshark decode them: no malformed frame or expert error, and each
// message type the one we sent.
func TestTsharkDecodesWhatWeSend(t *testing.T) {
	c := newCluster(t, Config{SuggestTakeover: true, HonourSuggestions: true}, 1, 2, 3)
	var sent [][]byte
	types := map[wire.ENRPType]bool{}
	suggested := false
	c.observe = func(from, to wire.ServerID, v wire.ENRPValue) {
		sent = append(sent, wire.AppendENRP(nil, v))
		types[v.ENRPType()] = true
		if u, ok := v.(*wire.HandleUpdate); ok && u.TakeoverSuggested {
			suggested = true
		}
	}
	c.spread(70, 1)
	c.mesh()
	c.run(time.Second)
	c.spread(3, 2, 3)
	c.register(c.nodes[1], "late", 7) // node 1 is the busiest: T flag
	c.deregister(c.nodes[1], "pool-0", 1<<16|1)
	c.nodes[3].down = true
	c.run(detection + DefaultTakeoverExpiry)
	for _, typ := range []wire.ENRPType{wire.ENRPPresence, wire.ENRPHandleTableRequest, wire.ENRPHandleTableResponse,
		wire.ENRPHandleUpdate, wire.ENRPInitTakeover, wire.ENRPInitTakeoverAck, wire.ENRPTakeoverServer} {
		if !types[typ] {
			t.Errorf("the run sent no %v", typ)
		}
	}
	if !suggested {
		t.Error("no Handle Update with the T flag")
	}

	file := filepath.Join(t.TempDir(), "enrp.pcapng")
	w, err := pcapng.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("192.0.2.1:9901")
	dst := netip.MustParseAddrPort("192.0.2.2:9901")
	for i, p := range sent {
		pkt := sctp.Header{SrcPort: wire.PortENRP, DstPort: wire.PortENRP, VerificationTag: 1}.Append(nil)
		d := sctp.Data{Flags: sctp.FlagBegin | sctp.FlagEnd, TSN: uint32(i), PPID: wire.PPIDENRP, Payload: p}
		pkt = d.Append(pkt)
		sctp.SetChecksum(pkt)
		if err := w.WriteUDP(time.Unix(1700000000, int64(i)), src, dst, pkt); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	frames := tshark.Decode(t, file, []string{"-d", "udp.port==9901,sctp"}, append([]string{"enrp.message_type"}, tshark.CleanFields...)...)
	if len(frames) != len(sent) {
		t.Fatalf("tshark decoded %d frames, wrote %d", len(frames), len(sent))
	}
	for _, bad := range tshark.Clean(frames) {
		t.Error(bad)
	}
	for i, f := range frames {
		got := f["enrp.message_type"]
		if want := strconv.Itoa(int(sent[i][0])); len(got) == 0 || got[0] != want {
			t.Errorf("frame %d: tshark enrp.message_type = %v, want %s", i+1, got, want)
		}
	}
	t.Logf("%d messages decoded", len(frames))
}
