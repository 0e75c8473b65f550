package perf

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"sync/atomic"
)

// flow counts and hashes the messages of one direction of an association,
// per stream, in the order they were sent or delivered.
type flow struct {
	streams []*streamTally // indexed by stream identifier; nil until used
	meter   *atomic.Uint64 // bytes, for the interval lines; may be nil
	hashed  bool           // SHA-256 per stream; off with NoVerify
}

// streamTally is one stream's share of a flow.
type streamTally struct {
	bytes, messages uint64
	sha             hash.Hash
}

func newFlow(meter *atomic.Uint64, hashed bool) *flow { return &flow{meter: meter, hashed: hashed} }

// add counts part of a message; eor marks its last part.
func (f *flow) add(id uint16, part []byte, eor bool) {
	s := f.stream(id)
	if s.sha != nil {
		s.sha.Write(part)
	}
	s.bytes += uint64(len(part))
	if eor {
		s.messages++
	}
	if f.meter != nil {
		f.meter.Add(uint64(len(part)))
	}
}

// empty reports whether nothing was counted yet.
func (f *flow) empty() bool { return len(f.streams) == 0 }

// stream returns the tally of stream id, creating it on first use. Peers
// may use any identifier, so the table grows on demand.
func (f *flow) stream(id uint16) *streamTally {
	if int(id) >= len(f.streams) {
		f.streams = append(f.streams, make([]*streamTally, int(id)+1-len(f.streams))...)
	}
	s := f.streams[id]
	if s == nil {
		s = &streamTally{}
		if f.hashed {
			s.sha = sha256.New()
		}
		f.streams[id] = s
	}
	return s
}

// report summarizes the flow over the given number of seconds.
func (f *flow) report(seconds float64) Flow {
	r := Flow{Streams: []StreamReport{}}
	for id, s := range f.streams {
		if s == nil {
			continue
		}
		r.Bytes += s.bytes
		r.Messages += s.messages
		sr := StreamReport{Stream: uint16(id), Messages: s.messages, Bytes: s.bytes}
		if s.sha != nil {
			sr.SHA256 = hex.EncodeToString(s.sha.Sum(nil))
		}
		r.Streams = append(r.Streams, sr)
	}
	if seconds > 0 {
		r.Mbps = float64(r.Bytes) * 8 / seconds / 1e6
		r.MsgRate = float64(r.Messages) / seconds
	}
	return r
}
