package simstack

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
)

// MessageHeader is the length of a numbered message's header: its number
// (4 bytes) and the length of its pattern (2 bytes).
const MessageHeader = 6

// Message is message number seq of a numbered flow: its header, then a
// pattern of size bytes that depends on both, so that a receiver notices
// a message that is damaged, cut short or not the one it expected.
func Message(seq, size int) []byte {
	b := make([]byte, MessageHeader, MessageHeader+size)
	binary.BigEndian.PutUint32(b, uint32(seq))
	binary.BigEndian.PutUint16(b[4:], uint16(size))
	for j := range size {
		b = append(b, byte(seq*7+j))
	}
	return b
}

// Tally counts the messages of a flow and keeps their running SHA-256:
// the sender's tally of what it sent, compared at the end with the
// receiver's of what arrived, shows that the bytes of the whole flow
// arrived in order. The zero Tally is empty and ready.
type Tally struct {
	n int
	h hash.Hash
}

// Add counts b and hashes it.
func (t *Tally) Add(b []byte) {
	if t.h == nil {
		t.h = sha256.New()
	}
	t.h.Write(b)
	t.n++
}

// Count is the number of messages added.
func (t *Tally) Count() int { return t.n }

// Sum is the SHA-256 of the messages added, one after the other.
func (t *Tally) Sum() [32]byte {
	if t.h == nil {
		return sha256.Sum256(nil)
	}
	return [32]byte(t.h.Sum(nil))
}

// Checker checks, on the receiving side, that the messages of a numbered
// flow arrive each once, in order and intact, and tallies them. The zero
// Checker expects message 0.
type Checker struct {
	Tally
}

// Check returns what is wrong with b if it is not message number Count()
// intact; otherwise it adds b to the tally.
func (c *Checker) Check(b []byte) error {
	want := c.Count()
	if len(b) < MessageHeader {
		return fmt.Errorf("a message of %d bytes arrived when message %d was due", len(b), want)
	}
	seq, size := int(binary.BigEndian.Uint32(b)), int(binary.BigEndian.Uint16(b[4:]))
	switch {
	case seq != want:
		return fmt.Errorf("message %d arrived when message %d was due", seq, want)
	case string(b) != string(Message(seq, size)):
		return fmt.Errorf("message %d arrived damaged (%d bytes)", seq, len(b))
	}
	c.Add(b)
	return nil
}
