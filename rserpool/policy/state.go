package policy

import "github.com/mobisctp/mobisctp/rserpool/wire"

// State is what a policy remembers about one pool element. The handlespace
// embeds one in every element; only the Selector changes it.
type State struct {
	info        wire.Policy
	id          uint32 // PE identifier: the tie-breaker of weighted policies
	credit      uint32 // Weighted Round Robin: selections left in this round
	seq         uint64 // order of the last join or use: the round robin position
	round       uint64 // Weighted Round Robin: the round the element is in
	degradation uint64 // load added by selections since the last update
}

// Policy returns the policy parameter the element registered with.
func (st *State) Policy() wire.Policy { return st.info }

// Degradation returns the load the Least Used with Degradation policies have
// added to the element since it last registered or updated its registration.
func (st *State) Degradation() uint64 { return st.degradation }
