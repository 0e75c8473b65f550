// Package handlespace keeps the RSerPool handlespace of a registrar: pools
// found by pool handle, each holding pool elements found by PE identifier.
//
// A [Handlespace] registers, updates and deregisters pool elements, resolves
// handles with the pool's selection policy (package policy), keeps the
// deadlines a registrar needs (registration lifetime, keep-alive due,
// keep-alive timeout) in one timer heap, maintains the ENRP PE checksum of
// every owner registrar incrementally, and enumerates the whole table in
// handle and identifier order from a resumable [Cursor].
//
// Every operation on a pool element is O(log n) in the size of its pool,
// selection included: each pool keeps its elements in two B+ trees (by
// identifier, and by the policy's selection key with the weight sums the
// weighted policies draw from; see btree.go). The handlespace takes the current
// time as an argument and never reads a clock; it is not safe for
// concurrent use.
package handlespace
