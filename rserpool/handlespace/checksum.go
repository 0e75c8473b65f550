package handlespace

// The PE checksum of RFC 5353 lets two registrars compare, in one 16-bit
// value, their views of the elements a registrar owns. For an owner it is
// the Internet checksum (RFC 1071: the complement of the 16-bit one's
// complement sum) over every owned element's pool handle followed by its PE
// identifier in network byte order.
//
// Each element's part is summed on its own, with an odd-length handle padded
// by a zero byte before the identifier, exactly as RSPLIB does. One's
// complement addition is associative and commutative, so the owner's sum is
// the sum of the element parts in any order: an element joining or leaving
// adds or subtracts its part in O(1). The running sum is kept unfolded in 64
// bits, where subtracting is exact, and folded only when read. (RSPLIB keeps
// a 32-bit accumulator, which wraps once an owner has some tens of thousands
// of elements and then drops an end-around carry; it also sums words in host
// byte order, which on little-endian hosts yields the byte-swapped value.)

// ownership is what the handlespace knows about one owner registrar.
type ownership struct {
	sum   uint64 // unfolded sum of the owned elements' parts
	count int
}

// elementSum returns an element's part of its owner's checksum: the plain
// sum of the big-endian 16-bit words of the handle, zero-padded to an even
// length, and of the identifier.
func elementSum(handle string, id uint32) uint64 {
	var s uint64
	for i := 0; i+1 < len(handle); i += 2 {
		s += uint64(handle[i])<<8 | uint64(handle[i+1])
	}
	if len(handle)%2 == 1 {
		s += uint64(handle[len(handle)-1]) << 8
	}
	return s + uint64(id>>16) + uint64(id&0xFFFF)
}

// finishChecksum folds the carries of sum back into 16 bits (one's
// complement addition) and complements the result.
func finishChecksum(sum uint64) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xFFFF + sum>>16
	}
	return ^uint16(sum)
}

// Checksum returns the PE checksum over the elements owner owns, kept up
// to date by every change. An owner with no elements has checksum 0xFFFF.
func (h *Handlespace) Checksum(owner uint32) uint16 {
	return finishChecksum(h.owners[owner].sum)
}

// RecomputeChecksum computes the PE checksum of owner from scratch by
// walking the whole handlespace: O(n), for audits and tests of Checksum.
func (h *Handlespace) RecomputeChecksum(owner uint32) uint16 {
	var sum uint64
	for e := range h.Elements(Cursor{}) {
		if e.owner == owner {
			sum += elementSum(e.pool.handle, e.id)
		}
	}
	return finishChecksum(sum)
}

// Owned returns the number of elements owner owns.
func (h *Handlespace) Owned(owner uint32) int { return h.owners[owner].count }

func (h *Handlespace) own(e *PoolElement) {
	o := h.owners[e.owner]
	o.sum += e.sum
	o.count++
	h.owners[e.owner] = o
}

func (h *Handlespace) disown(e *PoolElement) {
	o := h.owners[e.owner]
	o.sum -= e.sum
	o.count--
	if o.count == 0 {
		delete(h.owners, e.owner)
		return
	}
	h.owners[e.owner] = o
}

// Sum adds up a PE checksum element by element, for a table read from
// elsewhere (a Handle Table Response, as hsdump reads) rather than held in
// a Handlespace. The zero value holds no element.
type Sum struct{ sum uint64 }

// Add adds the element with identifier id of pool handle.
func (s *Sum) Add(handle string, id uint32) { s.sum += elementSum(handle, id) }

// Checksum returns the PE checksum over the elements added.
func (s Sum) Checksum() uint16 { return finishChecksum(s.sum) }
