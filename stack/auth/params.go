package auth

import (
	"crypto/rand"
	"errors"
	"slices"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// RandomLen is the length of the Random Number that RFC 4895 section 6.1
// requires in the RANDOM parameter.
const RandomLen = 32

// Errors of [ParseParams]. After ErrRandomLength or ErrNoSHA1 the
// association must be aborted, with a Protocol Violation cause (RFC 4895
// section 6.1).
var (
	ErrNotSupported = errors.New("auth: no RANDOM or no HMAC-ALGO parameter: the peer does not support AUTH")
	ErrRandomLength = errors.New("auth: the Random Number is not 32 bytes")
	ErrNoSHA1       = errors.New("auth: the HMAC-ALGO parameter does not list HMAC-SHA-1")
	// ErrChunkListLength: a CHUNKS parameter longer than 260 bytes lists
	// some chunk type twice, as no list of distinct types can (RFC 4895
	// section 3.2); Linux refuses it the same way.
	ErrChunkListLength = errors.New("auth: the CHUNKS parameter is longer than 260 bytes")
)

// maxChunkList is the most chunk types a CHUNKS parameter can list, one
// of each.
const maxChunkList = 256

// Params are one side's RANDOM, CHUNKS and HMAC-ALGO parameters, as sent in
// its INIT or INIT ACK. A Params does not change once made.
type Params struct {
	// vector is the key vector of RFC 4895 section 6.1: the RANDOM, CHUNKS
	// (if sent) and HMAC-ALGO parameters as sent, headers included, each
	// without its padding.
	vector []byte
	tlvs   [3]wire.Param // the parameters, aliasing vector; CHUNKS may be empty
	chunks chunkSet      // the types listed in CHUNKS
	listed [len(algos)]bool
	first  int // index in algos of the first listed algorithm we implement
}

// NewParams returns our parameters for a new association: a fresh RANDOM,
// a CHUNKS parameter listing chunks, ASCONF and ASCONF-ACK (which RFC 5061
// sections 4.1.1 and 4.1.2 require to be authenticated), and an HMAC-ALGO
// parameter listing HMAC-SHA-256 then HMAC-SHA-1. Types that can never be
// authenticated (INIT, INIT ACK, SHUTDOWN COMPLETE and AUTH, RFC 4895
// section 3.2) are left out of CHUNKS; so are duplicates.
func NewParams(chunks []wire.ChunkType) *Params {
	var set chunkSet
	for _, t := range chunks {
		set.add(t)
	}
	set.add(wire.TypeAsconf)
	set.add(wire.TypeAsconfAck)
	var random [RandomLen]byte
	rand.Read(random[:])
	ids := make([]wire.HMACID, len(algos))
	for i := range algos {
		ids[i] = algos[i].id
	}
	return newParams(
		tlv(&wire.RandomParam{Number: random[:]}),
		tlv(&wire.ChunkListParam{Types: set.types()}),
		tlv(&wire.HMACAlgoParam{IDs: ids}),
		set, ids)
}

// ParseParams returns the AUTH parameters found in ps, the parameters of an
// INIT or INIT ACK: the peer's, or ours read back from a state cookie. The
// first of each type counts. It returns [ErrNotSupported] if ps lacks
// RANDOM or HMAC-ALGO, [ErrRandomLength], [ErrNoSHA1] or
// [ErrChunkListLength] if they are wrong (whether or not RANDOM is there),
// or the codec's error for a malformed HMAC-ALGO parameter. Types in CHUNKS
// that can never be authenticated are ignored, as RFC 4895 section 3.2
// says, but stay in the key vector.
func ParseParams(ps wire.Params) (*Params, error) {
	if chunks, ok := ps.Find(wire.ParamChunks); ok && len(chunks.Value()) > maxChunkList {
		return nil, ErrChunkListLength
	}
	random, okR := ps.Find(wire.ParamRandom)
	hmacs, okH := ps.Find(wire.ParamHMACAlgo)
	if !okR || !okH {
		return nil, ErrNotSupported
	}
	if len(random.Value()) != RandomLen {
		return nil, ErrRandomLength
	}
	var algo wire.HMACAlgoParam
	if err := algo.Decode(hmacs); err != nil {
		return nil, err
	}
	if !slices.Contains(algo.IDs, wire.HMACSHA1) {
		return nil, ErrNoSHA1
	}
	var set chunkSet
	chunks, _ := ps.Find(wire.ParamChunks)
	if chunks != nil {
		for _, t := range chunks.Value() {
			set.add(wire.ChunkType(t))
		}
	}
	return newParams(random, chunks, hmacs, set, algo.IDs), nil
}

// AppendTo appends the RANDOM, CHUNKS and HMAC-ALGO parameters to ps, the
// parameter list of an INIT or INIT ACK (or of a state cookie).
func (p *Params) AppendTo(ps wire.Params) wire.Params {
	for _, t := range p.tlvs {
		if len(t) > 0 {
			ps = wire.AppendParam(ps, &wire.RawParam{Type: t.Type(), Value: t.Value()})
		}
	}
	return ps
}

// newParams copies the three parameters (chunks may be nil) into a Params.
func newParams(random, chunks, hmacs wire.Param, set chunkSet, ids []wire.HMACID) *Params {
	p := &Params{vector: slices.Concat(random, chunks, hmacs), chunks: set}
	n1, n2 := len(random), len(random)+len(chunks)
	p.tlvs = [3]wire.Param{p.vector[:n1:n1], p.vector[n1:n2:n2], p.vector[n2:]}
	for _, id := range ids {
		if i := algoIndex(id); i >= 0 {
			p.listed[i] = true
		}
	}
	p.first = chooseAlgo(ids)
	return p
}

// tlv encodes one parameter, without padding.
func tlv(v wire.ParamValue) wire.Param { return wire.Param(wire.AppendParam(nil, v)) }

// chunkSet is a set of chunk types that can be authenticated.
type chunkSet [4]uint64

// add adds t unless RFC 4895 section 3.2 forbids authenticating it.
func (s *chunkSet) add(t wire.ChunkType) {
	switch t {
	case wire.TypeInit, wire.TypeInitAck, wire.TypeShutdownComplete, wire.TypeAuth:
		return
	}
	s[t>>6] |= 1 << (t & 63)
}

// has reports whether t is in the set.
func (s *chunkSet) has(t wire.ChunkType) bool { return s[t>>6]&(1<<(t&63)) != 0 }

// types returns the members in ascending order.
func (s *chunkSet) types() []wire.ChunkType {
	var ts []wire.ChunkType
	for t := range 256 {
		if s.has(wire.ChunkType(t)) {
			ts = append(ts, wire.ChunkType(t))
		}
	}
	return ts
}
