package main

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"sync"
	"time"

	stackwire "github.com/mobisctp/mobisctp/stack/wire"
)

// tagWatch tells whether an association stayed the same one: for each
// pair of SCTP ports it counts the packets with an INIT chunk and keeps
// the verification tags of the other packets. One association shows one
// INIT and two tags (one per direction); a new association after a
// failover adds an INIT and two tags. It reads the packets of an
// endpoint as its Tap, or of the simulated network. Its methods are safe
// for concurrent use.
type tagWatch struct {
	mu    sync.Mutex
	pairs map[[2]uint16]*tagCount
}

type tagCount struct {
	inits int
	tags  []uint32
}

func newTagWatch() *tagWatch { return &tagWatch{pairs: map[[2]uint16]*tagCount{}} }

// note looks at one SCTP packet.
func (w *tagWatch) note(data []byte) {
	if len(data) < 12 {
		return
	}
	key := portPair(binary.BigEndian.Uint16(data[0:]), binary.BigEndian.Uint16(data[2:]))
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.pairs[key]
	if c == nil {
		c = &tagCount{}
		w.pairs[key] = c
	}
	it := stackwire.Packet(data).Chunks()
	for ch, ok := it.Next(); ok; ch, ok = it.Next() {
		if ch.Type() == stackwire.TypeInit {
			c.inits++
			return
		}
	}
	if tag := binary.BigEndian.Uint32(data[4:]); !slices.Contains(c.tags, tag) {
		c.tags = append(c.tags, tag)
	}
}

// WriteUDP makes tagWatch a stack.Tap.
func (w *tagWatch) WriteUDP(_ time.Time, _, _ netip.AddrPort, payload []byte) error {
	w.note(payload)
	return nil
}

// snapshot returns the INITs and the sorted tags seen between ports a and b.
func (w *tagWatch) snapshot(a, b uint16) (inits int, tags []uint32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.pairs[portPair(a, b)]
	if c == nil {
		return 0, nil
	}
	return c.inits, slices.Sorted(slices.Values(c.tags))
}

// sameAssociation reports whether the tags and INITs seen are those of
// one association that kept the tags it had before (before, taken when
// it was set up).
func sameAssociation(before, after []uint32, inits int) bool {
	return inits == 1 && len(after) == 2 && slices.Equal(before, after)
}

func portPair(a, b uint16) [2]uint16 {
	if a > b {
		a, b = b, a
	}
	return [2]uint16{a, b}
}
