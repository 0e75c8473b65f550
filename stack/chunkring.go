package stack

import (
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// chunkState is where a sent DATA chunk stands.
type chunkState uint8

const (
	chunkOutstanding chunkState = iota // sent, not acknowledged
	chunkGapAcked                      // acknowledged by a gap block (may be reneged)
	chunkMarked                        // to be retransmitted
	chunkAbandoned                     // given up on (PR-SCTP)
)

// outChunk is a DATA or I-DATA chunk from its first transmission until it
// is cumulatively acknowledged. It is stored by value in a chunkRing,
// whose slots a bulk sender writes, reads and clears at memory speed once
// per chunk: it is kept to 80 bytes (it was 120), with the PR-SCTP
// deadline as an offset and the fields laid out without padding.
type outChunk struct {
	data []byte
	blk  *slab // on a message's last chunk: holds the data of all its chunks
	path *path // destination of the last transmission
	// lifeEnd is when the PR-SCTP lifetime ends if timed, as an offset
	// from the sender's epoch (sender.expired): 8 bytes, not a time.Time's 24.
	lifeEnd time.Duration
	ppid    uint32
	mid     uint32 // SSN (DATA) or MID (I-DATA)
	fsn     uint32 // I-DATA fragment sequence number
	tsn     uint32
	crc     uint32 // of data, if form is payloadSummed (with form, a payloadLayout in fields that fit in padding)
	sid     uint16
	flags   wire.DataFlags
	state   chunkState
	sends   uint8 // transmissions so far
	misses  uint8 // miss indications (section 7.2.4)
	fastRtx bool  // fast-retransmitted already
	// timedOut is set by a T3-rtx expiry: retransmit elsewhere.
	timedOut bool
	inFlight bool        // counted in path.flight
	form     payloadForm // how data leaves: copied, summed or framed
	timed    bool        // has a PR-SCTP lifetime; else fully reliable
}

// chunkRing holds the chunks from the peer's cumulative ack + 1 up to the
// last TSN sent, indexed by TSN, so a SACK finds each chunk in O(1).
type chunkRing struct {
	buf   []outChunk // power-of-two length
	first uint32     // TSN of the oldest chunk held
	n     int
}

func (r *chunkRing) len() int { return r.n }

// at returns the chunk with the given TSN, or nil if it is not held.
func (r *chunkRing) at(tsn uint32) *outChunk {
	off := tsn - r.first
	if off >= uint32(r.n) {
		return nil
	}
	return &r.buf[(int(r.first)+int(off))&(len(r.buf)-1)]
}

// push appends a slot for the chunk with the next TSN, tsn, and returns
// it for the caller to fill in. It is zero: popFront clears the slots it
// frees, and grow makes new ones.
func (r *chunkRing) push(tsn uint32) *outChunk {
	if r.n == 0 {
		r.first = tsn
	}
	if r.n == len(r.buf) {
		r.grow()
	}
	slot := &r.buf[(int(r.first)+r.n)&(len(r.buf)-1)]
	r.n++
	return slot
}

// popFront drops the oldest chunk, releasing its data through rel.
func (r *chunkRing) popFront(rel *slabReleases) {
	slot := &r.buf[int(r.first)&(len(r.buf)-1)]
	rel.add(slot.blk)
	*slot = outChunk{}
	r.first++
	r.n--
}

// ringMinSize is the ring's first size: small, since an idle association
// gives its ring back and a trickle of messages needs only a few slots;
// a bulk sender doubles it to what it needs within a few round trips.
const ringMinSize = 8

func (r *chunkRing) grow() {
	size := max(ringMinSize, 2*len(r.buf))
	nb := make([]outChunk, size)
	for i := range r.n {
		nb[(int(r.first)+i)&(size-1)] = r.buf[(int(r.first)+i)&(len(r.buf)-1)]
	}
	r.buf = nb
}
