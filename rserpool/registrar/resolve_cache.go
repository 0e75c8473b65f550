package registrar

import (
	"bytes"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/handlespace"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// elementCache keeps the encoded Pool Element parameters of the elements
// resolutions returned. Building one from the handlespace (decoding the
// stored transport, measuring the parameter, encoding it) was 18% of the
// registrar's CPU time in BenchmarkResolutions, and an element encodes to
// the same bytes until it registers again. The zero value is empty.
type elementCache [elementCacheSlots]cachedElement

// elementCacheSlots bounds the cache: an element's slot is its identifier
// modulo this, and it evicts the other elements of that slot.
const elementCacheSlots = 256

// cachedElement is an element's parameter and what fillElement made it
// from: it stands for every element with these fields.
type cachedElement struct {
	id, home  uint32
	lifetime  time.Duration
	policy    wire.Policy
	transport []byte
	param     []byte // nil while the slot is empty
}

// param returns the encoded Pool Element parameter of e, decoding into
// scratch if the cache has no copy.
func (c *elementCache) param(e *handlespace.PoolElement, scratch *wire.PoolElement) []byte {
	s := &c[e.ID()%elementCacheSlots]
	if !s.holds(e) {
		fillElement(scratch, e)
		s.id, s.home, s.lifetime, s.policy = e.ID(), e.Home(), e.Lifetime(), e.Policy()
		s.transport = append(s.transport[:0], e.Transport()...)
		s.param = wire.AppendParam(s.param[:0], scratch)
	}
	return s.param
}

// holds reports whether s is the parameter of e as it is now.
func (s *cachedElement) holds(e *handlespace.PoolElement) bool {
	return s.param != nil && s.id == e.ID() && s.home == e.Home() && s.lifetime == e.Lifetime() &&
		s.policy == e.Policy() && bytes.Equal(s.transport, e.Transport())
}
