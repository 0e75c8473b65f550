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
