package wire

import (
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/tshark"
)

// TestTsharkOracle writes one SCTP-over-UDP packet per sample chunk to a
// pcapng file and has tshark decode it: no malformed frame, no expert
// error, only good checksums, and every chunk type, parameter type and
// cause code named as we meant it. An AUTH chunk precedes the ASCONF and
// ASCONF-ACK, as RFC 5061 requires.
func TestTsharkOracle(t *testing.T) {
	ss := samples()
	file := filepath.Join(t.TempDir(), "chunks.pcapng")
	w, err := pcapng.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	src := netip.MustParseAddrPort("192.0.2.1:9899")
	dst := netip.MustParseAddrPort("192.0.2.2:9899")
	ts := time.Unix(1700000000, 0)
	var want [][]ChunkType
	for i, s := range ss {
		pkt := Header{SrcPort: 5000, DstPort: 5001, VerificationTag: 0xabcdef01}.Append(nil)
		if t := s.v.ChunkType(); t == TypeInit {
			pkt = Header{SrcPort: 5000, DstPort: 5001}.Append(nil) // INIT carries tag 0
		}
		types := []ChunkType{s.v.ChunkType()}
		if t := s.v.ChunkType(); t == TypeAsconf || t == TypeAsconfAck {
			pkt = (&Auth{KeyID: 0, HMACID: HMACSHA256, HMAC: make([]byte, 32)}).Append(pkt)
			types = append([]ChunkType{TypeAuth}, types...)
		}
		pkt = s.v.Append(pkt)
		types = append(types, s.nested...)
		SetChecksum(pkt)
		if err := w.WriteUDP(ts.Add(time.Duration(i)*time.Millisecond), src, dst, pkt); err != nil {
			t.Fatal(err)
		}
		want = append(want, types)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	fields := append([]string{"sctp.chunk_type", "sctp.parameter_type", "sctp.cause_code"}, tshark.CleanFields...)
	frames := tshark.Decode(t, file, nil, fields...)
	if len(frames) != len(ss) {
		t.Fatalf("tshark decoded %d frames, wrote %d", len(frames), len(ss))
	}
	for _, bad := range tshark.Clean(frames) {
		t.Error(bad)
	}
	for i, f := range frames {
		got := f["sctp.chunk_type"]
		if len(got) != len(want[i]) {
			t.Errorf("frame %d: tshark chunk types %v, want %v", i+1, got, want[i])
			continue
		}
		for j, ct := range want[i] {
			if got[j] != strconv.Itoa(int(ct)) {
				t.Errorf("frame %d: chunk %d decoded as type %s, want %d (%s)", i+1, j, got[j], ct, ct)
			}
		}
		for _, p := range ss[i].params {
			if !slices.Contains(f["sctp.parameter_type"], "0x"+hex4(uint16(p))) {
				t.Errorf("frame %d (%s): tshark did not name parameter %s; it saw %v", i+1, ss[i].v.ChunkType(), p, f["sctp.parameter_type"])
			}
		}
		for _, c := range ss[i].causes {
			if !slices.Contains(f["sctp.cause_code"], "0x"+hex4(uint16(c))) {
				t.Errorf("frame %d (%s): tshark did not name cause %s; it saw %v", i+1, ss[i].v.ChunkType(), c, f["sctp.cause_code"])
			}
		}
	}
}

func hex4(v uint16) string {
	s := strconv.FormatUint(uint64(v), 16)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}
