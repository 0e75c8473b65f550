package wire

import (
	"bytes"
	"testing"
)

// TestSendInPieces builds a packet as a sender that sends payloads from
// where they lie does, each DATA or I-DATA chunk's header (AppendHeader)
// in one buffer, its payload and padding after it: joined, the pieces are
// the packet Append builds, and SetChecksum over them gives its CRC32c.
func TestSendInPieces(t *testing.T) {
	payloads := [][]byte{[]byte("hey"), bytes.Repeat([]byte{7}, 1000), bytes.Repeat([]byte{8}, 1001), nil}
	whole := Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}.Append(nil)
	own := bytes.Clone(whole)
	var pieces [][]byte
	for i, p := range payloads {
		var c interface {
			Append([]byte) []byte
			AppendHeader([]byte) []byte
		} = &Data{Flags: FlagBegin, TSN: uint32(i), Stream: 1, PPID: 9, Payload: p}
		if i%2 == 1 {
			c = &IData{Flags: FlagBegin, TSN: uint32(i), MID: 4, PPID: 9, Payload: p}
		}
		whole = c.Append(whole)
		own = c.AppendHeader(own)
		pieces = append(pieces, own, p)
		own = make([]byte, Padding(len(p)), 64) // the next piece starts with the padding
	}
	pieces = append(pieces, own)
	SetChecksum(whole)
	SetChecksum(pieces[0], pieces[1:]...)
	if got := bytes.Join(pieces, nil); !bytes.Equal(got, whole) {
		t.Fatalf("pieces join into\n%x\nwant\n%x", got, whole)
	}
	if !Packet(whole).VerifyChecksum() {
		t.Error("the packet built whole fails its CRC32c")
	}
}

// SetChecksumPieces, given the CRCs of some pieces, gives the CRC32c that
// reading them gives, and a wrong one gives a packet that fails its check.
func TestSetChecksumPiecesKnown(t *testing.T) {
	payloads := [][]byte{bytes.Repeat([]byte{5}, 4096), []byte("odd"), bytes.Repeat([]byte{6}, 8001), nil}
	own := Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}.Append(nil)
	more := [][]byte{}
	var known []PieceCRC
	for i, p := range payloads {
		if i == 0 {
			own = (&Data{TSN: 1, Payload: p}).AppendHeader(own)
		} else {
			more = append(more, (&Data{TSN: uint32(i), Payload: p}).AppendHeader(make([]byte, Padding(len(payloads[i-1])), 64)))
		}
		if i != 1 { // one piece without a known CRC, read as usual
			known = append(known, PieceCRC{Piece: len(more), CRC: CRC32c(p)})
		}
		more = append(more, p)
	}
	want := bytes.Join(append([][]byte{own}, more...), nil)
	SetChecksum(want)
	SetChecksumPieces(own, more, known)
	got := bytes.Join(append([][]byte{own}, more...), nil)
	if !bytes.Equal(got, want) || !Packet(got).VerifyChecksum() {
		t.Fatalf("checksum %x with known CRCs, want %x", got[8:12], want[8:12])
	}
	if n := testing.AllocsPerRun(100, func() { SetChecksumPieces(own, more, known) }); n != 0 {
		t.Errorf("%v allocations", n)
	}

	known[1].CRC ^= 1
	SetChecksumPieces(own, more, known)
	if got := bytes.Join(append([][]byte{own}, more...), nil); Packet(got).VerifyChecksum() {
		t.Error("a wrong known CRC gave a packet whose checksum verifies")
	}
}
