package policy

import "github.com/mobisctp/mobisctp/rserpool/wire"

// DefaultMaxIncrement is how many of the elements an ordered policy returns
// from one resolution count as used, as in RSPLIB: only the first one. The
// round robin position then advances by one per resolution, and a pool user
// that asked for three elements but uses the first does not push the other
// two back (nor, under Least Used with Degradation, degrade them).
const DefaultMaxIncrement = 1

// Selector is the policy state of one pool: the policy, the sequence
// counter that orders equals, and the Weighted Round Robin round being
// served. The handlespace creates one per pool and passes it, together with
// the pool's Index, to Select.
type Selector struct {
	typ          wire.PolicyType
	rule         *rule
	maxIncrement int
	seq          uint64 // last sequence number handed out
	round        uint64 // Weighted Round Robin: the round being served
	drawn        []span // scratch for weighted draws, reused across calls
}

// New returns the selector for a pool that uses policy t. maxIncrement is
// how many of the elements one resolution returns count as used by ordered
// policies; 0 or less means DefaultMaxIncrement.
func New(t wire.PolicyType, maxIncrement int) (*Selector, error) {
	r, ok := rules[t]
	if !ok {
		return nil, &UnknownPolicyError{Type: t}
	}
	if maxIncrement <= 0 {
		maxIncrement = DefaultMaxIncrement
	}
	return &Selector{typ: t, rule: r, maxIncrement: maxIncrement}, nil
}

// Type returns the pool's policy.
func (s *Selector) Type() wire.PolicyType { return s.typ }

// Weighted reports whether the policy draws by weight (its Index must keep
// weight sums) rather than taking elements in Key order.
func (s *Selector) Weighted() bool { return s.rule.weighted }

// Join initialises st for element id joining the pool with policy p, which
// the caller has checked with CheckConsistent. The element starts behind
// its equals. Index it under Key(st) with weight Weight(st).
func (s *Selector) Join(st *State, id uint32, p wire.Policy) {
	*st = State{id: id}
	st.seq = s.next()
	s.Update(st, p)
}

// Update records a re-registration of st with policy p (checked with
// CheckConsistent). The element keeps its place among equals but its
// degradation starts over, since p carries a fresh load. Re-index it under
// Key(st) with weight Weight(st).
func (s *Selector) Update(st *State, p wire.Policy) {
	st.info = p
	st.degradation = 0
	if s.rule.refill != nil {
		s.rule.refill(s, st)
	}
}

// Key returns st's place in the pool's selection order.
func (s *Selector) Key(st *State) Key {
	if s.rule.weighted {
		return Key{Tie: uint64(st.id)}
	}
	return Key{Rank: s.rule.rank(st), Tie: st.seq}
}

// Weight returns st's weight for weighted policies and 0 for ordered ones.
func (s *Selector) Weight(st *State) uint64 {
	if !s.rule.weighted {
		return 0
	}
	return s.rule.weight(&st.info)
}

// use records that an ordered policy handed st out: st moves behind its
// equals and the policy spends whatever the selection costs.
func (s *Selector) use(st *State) {
	st.seq = s.next()
	if s.rule.spend != nil {
		s.rule.spend(s, st)
	}
}

// next returns a new sequence number. 64 bits do not wrap in practice (a
// billion resolutions a second for 584 years), so unlike RSPLIB there is no
// resequencing pass.
func (s *Selector) next() uint64 {
	s.seq++
	return s.seq
}
