package wire

import (
	"testing"
)

// sackDataPacket builds the benchmark packet: common header, a SACK with one
// gap block and a DATA chunk with 1000 bytes of user data (1048 bytes).
func sackDataPacket(buf []byte, payload []byte, s *Sack, d *Data) []byte {
	buf = Header{SrcPort: 9899, DstPort: 9899, VerificationTag: 0x11223344}.Append(buf[:0])
	buf = s.Append(buf)
	buf = d.Append(buf)
	SetChecksum(buf)
	return buf
}

func benchValues() (*Sack, *Data, []byte) {
	payload := make([]byte, 1000)
	for i := range payload {
		payload[i] = byte(i)
	}
	s := &Sack{CumTSN: 1000, ARwnd: 1 << 20, Gaps: []GapBlock{{2, 5}}}
	d := &Data{Flags: FlagBegin | FlagEnd, TSN: 77, Stream: 1, SSN: 2, PPID: 51, Payload: payload}
	return s, d, payload
}

// parseSackData is the receive hot path: parse, verify, walk, decode.
func parseSackData(pkt []byte, s *Sack, d *Data) (n int, ok bool) {
	p, err := ParsePacket(pkt)
	if err != nil || !p.VerifyChecksum() {
		return 0, false
	}
	it := p.Chunks()
	for c, more := it.Next(); more; c, more = it.Next() {
		switch c.Type() {
		case TypeSack:
			if s.Decode(c) != nil {
				return 0, false
			}
		case TypeData:
			if d.Decode(c) != nil {
				return 0, false
			}
			n += len(d.Payload)
		}
	}
	return n, it.Err() == nil
}

func TestHotPathAllocatesNothing(t *testing.T) {
	s, d, payload := benchValues()
	buf := make([]byte, 0, 2048)
	pkt := sackDataPacket(buf, payload, s, d)
	if len(pkt) != 1048 {
		t.Fatalf("packet is %d bytes, want 1048", len(pkt))
	}
	var rs Sack
	var rd Data
	if n, ok := parseSackData(pkt, &rs, &rd); !ok || n != 1000 || rs.Gaps[0] != (GapBlock{2, 5}) {
		t.Fatalf("parse: n=%d ok=%v sack=%+v", n, ok, rs)
	}
	hb := make([]byte, 0, 64)
	var rh Heartbeat
	cases := map[string]func(){
		"parse SACK+DATA": func() { parseSackData(pkt, &rs, &rd) },
		"build SACK+DATA": func() { pkt = sackDataPacket(buf, payload, s, d) },
		"HEARTBEAT":       func() { _ = rh.Decode(Chunk((&Heartbeat{Info: payload[:16]}).Append(hb[:0]))) },
		"HEARTBEAT ACK": func() {
			var a HeartbeatAck
			_ = a.Decode(Chunk((&HeartbeatAck{Info: payload[:16]}).Append(hb[:0])))
		},
		"CRC32c": func() { _ = CRC32c(payload) },
	}
	for name, f := range cases {
		if a := testing.AllocsPerRun(200, f); a != 0 {
			t.Errorf("%s: %v allocs per run, want 0", name, a)
		}
	}
}

func BenchmarkParseVerifySackData(b *testing.B) {
	s, d, payload := benchValues()
	pkt := sackDataPacket(make([]byte, 0, 2048), payload, s, d)
	var rs Sack
	var rd Data
	b.ReportAllocs()
	b.SetBytes(int64(len(pkt)))
	for b.Loop() {
		if _, ok := parseSackData(pkt, &rs, &rd); !ok {
			b.Fatal("parse failed")
		}
	}
}

func BenchmarkBuildSackData(b *testing.B) {
	s, d, payload := benchValues()
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(1048)
	for b.Loop() {
		buf = sackDataPacket(buf, payload, s, d)
	}
}

func benchCRC(b *testing.B, n int) {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7)
	}
	b.ReportAllocs()
	b.SetBytes(int64(n))
	for b.Loop() {
		_ = CRC32c(data)
	}
}

func BenchmarkCRC32c1KiB(b *testing.B)  { benchCRC(b, 1024) }
func BenchmarkCRC32c64KiB(b *testing.B) { benchCRC(b, 64*1024) }
