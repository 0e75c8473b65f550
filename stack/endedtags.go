package stack

import (
	"sync"
	"time"
)

// endedTagsMax bounds how many recently closed associations an endpoint
// remembers: a peer that opens and closes associations in a loop can only
// push out the oldest.
const endedTagsMax = 1024

// endedTags remembers, for a little while, the verification tags of the
// associations that closed gracefully. A packet the peer sent before it
// saw the close (a HEARTBEAT ACK, a SACK that crossed our SHUTDOWN COMPLETE
// on another path) is then out of the blue only in name: RFC 9260 section
// 8.4 rule 8 says SHOULD answer it with an ABORT, but after a clean close
// that ABORT only tells the peer something went wrong when nothing did.
// Such packets are dropped and counted instead.
type endedTags struct {
	mu    sync.Mutex
	until map[uint32]time.Time
	ring  [endedTagsMax]uint32 // oldest first from next, to evict
	next  int
}

// add remembers tag until the given time, forgetting the tag added
// endedTagsMax adds before, so the map never holds more than the ring.
func (c *endedTags) add(tag uint32, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.until == nil {
		c.until = make(map[uint32]time.Time)
	}
	delete(c.until, c.ring[c.next])
	c.ring[c.next] = tag
	c.next = (c.next + 1) % endedTagsMax
	c.until[tag] = until
}

// recent reports whether tag belongs to an association that closed
// gracefully a moment before now; an expired entry is forgotten.
func (c *endedTags) recent(tag uint32, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, ok := c.until[tag]
	if ok && !now.Before(until) {
		delete(c.until, tag)
		return false
	}
	return ok
}
