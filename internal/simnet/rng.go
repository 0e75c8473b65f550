package simnet

import (
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"net/netip"
)

// A flow is the traffic from one UDP address to another. Each flow draws
// from its own random stream, so the fate of its datagrams does not depend on
// how its sends interleave with those of other flows: goroutines interleave
// differently from run to run, even in a bubble.
type flow struct{ src, dst netip.AddrPort }

func (n *Network) randLocked(f flow) *rand.Rand {
	r := n.flows[f]
	if r == nil {
		r = rand.New(rand.NewPCG(flowSeed(n.seed, f)))
		n.flows[f] = r
	}
	return r
}

// flowSeed hashes the network's seed and the flow into a PCG state, so that
// flows differing in a single port bit start far apart in the generator's
// period.
func flowSeed(seed int64, f flow) (uint64, uint64) {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+2*19), uint64(seed))
	b, _ = f.src.AppendBinary(b) // cannot fail
	b, _ = f.dst.AppendBinary(b)
	h := fnv.New128a()
	h.Write(b)
	sum := h.Sum(nil)
	return binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])
}

// chance reports whether an event of probability p happens.
func chance(r *rand.Rand, p float64) bool {
	return p > 0 && r.Float64() < p
}
