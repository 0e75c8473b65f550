// Package policy implements the pool member selection policies of RFC 5356
// and the delay-sensitive policies of draft-dreibholz-rserpool-delay as pure
// selectors: a [Selector] keeps a pool's policy state and decides which
// elements a handle resolution returns, but it owns no storage. The
// handlespace keeps the elements in its own ordered structure and lets the
// selector see it through the small [Index] interface.
//
// Every policy has one of two shapes (the observation RSPLIB is built on):
//
//   - Ordered: elements are sorted by a [Key] (a policy-specific rank, ties
//     broken by a sequence number) and a resolution takes the first N. The
//     first few handed out then get a fresh sequence number, which moves
//     them behind their equals, and may change their rank (a round robin
//     credit spent, a load degradation added). Round Robin, Weighted Round
//     Robin, Priority and the whole Least Used family are ordered.
//   - Weighted: every element has a weight and a resolution draws N distinct
//     elements, each with probability proportional to its weight among those
//     not drawn yet. Random, Weighted Random, Randomized Least Used and
//     Weighted Random with DPF are weighted.
//
// An [Index] kept as a balanced tree ordered by Key, with weight sums per
// subtree, therefore serves every policy in O(log n) per element selected.
//
// Selection is deterministic: the only randomness is the *rand.Rand the
// caller passes to [Select].
package policy
