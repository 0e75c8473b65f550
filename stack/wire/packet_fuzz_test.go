package wire

import (
	"bytes"
	"net/netip"
	"testing"
)

// FuzzPacket feeds whole packets: every chunk found is decoded with its
// typed value, which must re-encode to bytes that decode to the same value;
// the checksum is computed and verified; nothing may panic.
func FuzzPacket(f *testing.F) {
	pkt := Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}.Append(nil)
	pkt = (&Sack{CumTSN: 4, Gaps: []GapBlock{{Start: 2, End: 3}}}).Append(pkt)
	pkt = (&Data{Flags: FlagBegin | FlagEnd, TSN: 5, Payload: []byte("data")}).Append(pkt)
	SetChecksum(pkt)
	f.Add(pkt)
	init := Header{}.Append(nil)
	init = (&Init{InitiateTag: 9, ARwnd: 1500, OutStreams: 1, InStreams: 1, InitialTSN: 1,
		Params: AppendParam(nil, &AddressParam{Addr: netip.MustParseAddr("192.0.2.1")})}).Append(init)
	f.Add(init)
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := ParsePacket(in)
		if err != nil {
			return
		}
		c := append([]byte(nil), p...)
		SetChecksum(c)
		if !Packet(c).VerifyChecksum() {
			t.Fatal("a freshly set checksum does not verify")
		}
		if !bytes.Equal(c[:8], p[:8]) || !bytes.Equal(c[12:], p[12:]) {
			t.Fatal("SetChecksum changed more than the checksum")
		}
		it := p.Chunks()
		for ch, ok := it.Next(); ok; ch, ok = it.Next() {
			v := NewChunkValue(ch.Type())
			if v == nil {
				if ch.Type().Known() {
					t.Fatalf("%s has a name but no typed value", ch.Type())
				}
				continue
			}
			roundTripValue(t, v, ch)
		}
	})
}

// roundTripValue checks one decoded chunk: whatever decodes re-encodes to
// bytes that decode to an equal value.
func roundTripValue(t *testing.T, v ChunkValue, ch Chunk) {
	if v.Decode(ch) != nil {
		return
	}
	out := v.Append(nil)
	if len(out) != v.Len() {
		t.Fatalf("%s: Len %d, Append wrote %d", ch.Type(), v.Len(), len(out))
	}
	c2, err := ParseChunk(out)
	if err != nil {
		t.Fatalf("%s: re-encoded chunk does not parse: %v", ch.Type(), err)
	}
	w := NewChunkValue(ch.Type())
	if err := w.Decode(c2); err != nil {
		t.Fatalf("%s: re-encoded chunk does not decode: %v", ch.Type(), err)
	}
	if !equalValues(v, w) {
		t.Fatalf("%s: round trip changed the value:\n%+v\n%+v", ch.Type(), v, w)
	}
}
