package perf

import (
	"encoding/binary"
	"math/rand/v2"
)

// payloadSeed prefixes every stream's seed, so that the payload is the same
// in every build and on both ends.
const payloadSeed = "mobisctp perf payload v1"

// Payload is the deterministic pseudorandom byte stream sent on one SCTP
// stream. Consecutive messages are consecutive slices of it, so the sender,
// and a client checking echoes, regenerate exactly the same bytes.
type Payload struct {
	rng *rand.ChaCha8 // a keystream: Read continues where it stopped
	buf []byte
}

// NewPayload returns the payload of stream id, in messages of at most max
// bytes.
func NewPayload(id uint16, max int) *Payload {
	var seed [32]byte
	copy(seed[:], payloadSeed)
	binary.BigEndian.PutUint16(seed[len(seed)-2:], id)
	return &Payload{rng: rand.NewChaCha8(seed), buf: make([]byte, max)}
}

// Next returns the next n bytes (n at most the maximum given to
// NewPayload). The slice is reused by the following call.
func (p *Payload) Next(n int) []byte {
	b := p.buf[:n]
	p.Fill(b)
	return b
}

// Fill reads the next len(b) bytes into b.
func (p *Payload) Fill(b []byte) {
	_, _ = p.rng.Read(b) // ChaCha8.Read never fails
}
