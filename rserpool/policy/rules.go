package policy

import (
	"math"
	"math/bits"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// rule is one policy: its shape and the few functions that set it apart from
// its siblings. Everything else (taking the first N, drawing N by weight,
// sequence numbers) is shared; see select.go.
type rule struct {
	weighted bool
	// rank is an ordered rule's preference for an element: lower first.
	rank func(st *State) uint64
	// weight is a weighted rule's relative chance of drawing an element.
	weight func(p *wire.Policy) uint64
	// spend records that an ordered rule handed st out. Optional.
	spend func(s *Selector, st *State)
	// refill sets per-element state when st joins or updates. Optional.
	refill func(s *Selector, st *State)
}

// maxLoad is 100% on the load scale of RFC 5356 section 3.1; the DPF scales
// of the delay draft use the same full 32-bit range for a factor of 1.
const maxLoad = math.MaxUint32

var rules = map[wire.PolicyType]*rule{
	wire.PolicyRoundRobin:              {rank: func(*State) uint64 { return 0 }},
	wire.PolicyWeightedRoundRobin:      {rank: wrrRank, spend: wrrSpend, refill: wrrRefill},
	wire.PolicyRandom:                  {weighted: true, weight: func(*wire.Policy) uint64 { return 1 }},
	wire.PolicyWeightedRandom:          {weighted: true, weight: func(p *wire.Policy) uint64 { return uint64(p.Weight) }},
	wire.PolicyPriority:                {rank: priorityRank},
	wire.PolicyLeastUsed:               {rank: func(st *State) uint64 { return uint64(st.info.Load) }},
	wire.PolicyLeastUsedDegradation:    {rank: degradedRank, spend: degrade},
	wire.PolicyPriorityLeastUsed:       {rank: priorityLoadRank},
	wire.PolicyRandomizedLeastUsed:     {weighted: true, weight: idleWeight},
	wire.PolicyWeightedRandomDPF:       {weighted: true, weight: distanceWeight},
	wire.PolicyLeastUsedDPF:            {rank: distanceRank},
	wire.PolicyLeastUsedDegradationDPF: {rank: degradedDistanceRank, spend: degrade},
}

// Weighted Round Robin serves the pool in rounds: within a round every
// element is handed out Weight times, interleaved with the others (equal
// ranks rotate by sequence number). The rank is the element's round; using
// its last credit moves it to the next round. An element of weight 0 has no
// share: it ranks after everything else and is only returned when a
// resolution asks for more elements than the others can fill.
func wrrRank(st *State) uint64 {
	if st.info.Weight == 0 {
		return math.MaxUint64
	}
	return st.round
}

func wrrSpend(s *Selector, st *State) {
	if st.info.Weight == 0 {
		return
	}
	// The element used has the lowest round, so this tracks the round being
	// served; elements that join later start in it rather than in the past
	// (which would let them be served Weight times in a row) or the future.
	s.round = max(s.round, st.round)
	if st.credit > 1 {
		st.credit--
		return
	}
	st.round++
	st.credit = st.info.Weight
}

// wrrRefill places a joining element in the round being served with a full
// set of credits. On an update it keeps the element's place and only trims
// its credits to a smaller weight, so re-registering buys no extra turns.
func wrrRefill(s *Selector, st *State) {
	st.round = max(st.round, s.round)
	if st.credit == 0 || st.credit > st.info.Weight {
		st.credit = st.info.Weight
	}
}

// Priority hands out the element with the highest Priority; equal
// priorities take turns.
func priorityRank(st *State) uint64 { return math.MaxUint32 - uint64(st.info.Priority) }

// Least Used with Degradation ranks by Load + degradation, where the
// degradation grows by LoadDegradation each time the element is handed out
// and returns to 0 when the element updates its registration (and so
// reports a fresh load).
func degradedRank(st *State) uint64 { return satAdd(uint64(st.info.Load), st.degradation) }

func degrade(_ *Selector, st *State) {
	st.degradation = satAdd(st.degradation, uint64(st.info.LoadDegradation))
}

// Priority Least Used ranks by Load + LoadDegradation: the load the element
// would have after one more request, without accumulating anything.
func priorityLoadRank(st *State) uint64 {
	return uint64(st.info.Load) + uint64(st.info.LoadDegradation)
}

// Randomized Least Used draws with a weight proportional to the unused
// capacity, 0xFFFFFFFF - Load, kept at least 1 so a full element is unlikely
// rather than impossible (as in RSPLIB).
func idleWeight(p *wire.Policy) uint64 { return max(maxLoad-uint64(p.Load), 1) }

// distancePenalty is the delay draft's penalty Distance × DPF: the DPF is a
// fraction of full scale (0xFFFFFFFF = 1) per millisecond of distance, so
// the product is on the same scale as a load. It fits in 64 bits.
func distancePenalty(dpf, distance uint32) uint64 { return uint64(distance) * uint64(dpf) }

// Least Used with DPF ranks by Load + Distance × LoadDPF: a distant element
// is treated as if it were busier. Unlike RSPLIB the sum is not clamped to
// 100%, so two overloaded elements still compare by their real keys.
func distanceRank(st *State) uint64 {
	return satAdd(uint64(st.info.Load), distancePenalty(st.info.LoadDPF, st.info.Distance))
}

// Least Used with Degradation and DPF ranks by
// Load + degradation + Distance × LoadDPF.
func degradedDistanceRank(st *State) uint64 {
	return satAdd(degradedRank(st), distancePenalty(st.info.LoadDPF, st.info.Distance))
}

// Weighted Random with DPF draws with weight
// Weight × (1 − Distance × WeightDPF / 0xFFFFFFFF), rounded to nearest: each
// millisecond of distance costs the element a WeightDPF fraction of its
// weight. Like RSPLIB, a nonzero weight never drops below 1, so a far element
// stays reachable; a zero weight stays zero.
func distanceWeight(p *wire.Policy) uint64 {
	w := uint64(p.Weight)
	if w == 0 {
		return 0
	}
	penalty := distancePenalty(p.WeightDPF, p.Distance)
	if penalty >= maxLoad {
		return 1
	}
	// w < 2^32 and penalty < 2^32-1, so the product cannot overflow.
	loss := (w*penalty + maxLoad/2) / maxLoad
	return max(w-loss, 1)
}

// satAdd adds without wrapping: a rank that would overflow stays last.
func satAdd(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return s
}
