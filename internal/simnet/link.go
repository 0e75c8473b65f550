package simnet

import (
	"errors"
	"math/bits"
	"net/netip"
	"time"
)

// DefaultQueueBytes is the size of a rate-limited link's queue when
// LinkProps.QueueBytes is 0.
const DefaultQueueBytes = 256 << 10

// LinkProps describe how a link treats datagrams. The zero value is a
// perfect link: no delay, no loss, infinite rate.
type LinkProps struct {
	Delay        time.Duration // one-way propagation delay
	Jitter       time.Duration // uniform extra delay in [0, Jitter); reorders datagrams
	Loss         float64       // probability that a datagram is dropped
	Duplicate    float64       // probability that a datagram is delivered twice
	Reorder      float64       // probability that a datagram is held back by ReorderDelay
	ReorderDelay time.Duration

	// Rate is the serialization rate in bytes of UDP payload per second; 0
	// means infinite. A rate-limited link queues datagrams in front of its
	// transmitter and drops those that do not fit in QueueBytes (drop-tail),
	// so that congestion control has something to react to.
	Rate       int64
	QueueBytes int // 0 means DefaultQueueBytes

	// Down breaks the link: it drops every datagram sent while it is down.
	// Those already in flight still arrive.
	Down bool
}

func (p *LinkProps) validate() error {
	for _, prob := range [...]float64{p.Loss, p.Duplicate, p.Reorder} {
		if !(prob >= 0 && prob <= 1) { // also rejects NaN
			return errors.New("probability outside [0, 1]")
		}
	}
	if p.Delay < 0 || p.Jitter < 0 || p.ReorderDelay < 0 || p.Rate < 0 || p.QueueBytes < 0 {
		return errors.New("negative duration or size")
	}
	return nil
}

func (p *LinkProps) queueBytes() int {
	if p.QueueBytes == 0 {
		return DefaultQueueBytes
	}
	return p.QueueBytes
}

// Link names one direction between two addresses.
type Link struct{ Src, Dst netip.Addr }

// link is the state of one direction between two addresses.
type link struct {
	props *LinkProps    // set by SetLink; nil follows the network's default
	busy  time.Duration // when the transmitter will have sent what is queued
	stats Counters
}

// SetDefault sets the behaviour of every link not configured by SetLink,
// SetLinkBoth or SetDown. It panics if p is invalid.
func (n *Network) SetDefault(p LinkProps) {
	mustValidate(&p)
	n.mu.Lock()
	defer n.mu.Unlock()
	n.def = p
}

// SetLink sets the behaviour of the direction from src to dst. It panics if
// p is invalid.
func (n *Network) SetLink(src, dst netip.Addr, p LinkProps) {
	n.setLinks(p, Link{src, dst})
}

// SetLinkBoth sets the behaviour of both directions between a and b. It
// panics if p is invalid.
func (n *Network) SetLinkBoth(a, b netip.Addr, p LinkProps) {
	n.setLinks(p, Link{a, b}, Link{b, a})
}

func (n *Network) setLinks(p LinkProps, keys ...Link) {
	mustValidate(&p)
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, k := range keys {
		n.linkLocked(k).props = &p
	}
}

// SetDown breaks or repairs both directions between a and b, keeping their
// other properties. A link that followed the default keeps a copy of it from
// then on, as if set by SetLink.
func (n *Network) SetDown(a, b netip.Addr, down bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, k := range [...]Link{{a, b}, {b, a}} {
		l := n.linkLocked(k)
		p := *n.propsLocked(l)
		p.Down = down
		l.props = &p
	}
}

func mustValidate(p *LinkProps) {
	if err := p.validate(); err != nil {
		panic("simnet: invalid LinkProps: " + err.Error())
	}
}

func (n *Network) linkLocked(k Link) *link {
	l := n.links[k]
	if l == nil {
		l = new(link)
		n.links[k] = l
	}
	return l
}

func (n *Network) propsLocked(l *link) *LinkProps {
	if l.props != nil {
		return l.props
	}
	return &n.def
}

// depart returns when the last byte of a datagram of size bytes offered at
// now leaves the transmitter, or false if the queue has no room for it.
func (l *link) depart(now time.Duration, size int, p *LinkProps) (time.Duration, bool) {
	if p.Rate == 0 {
		return now, true
	}
	start := max(now, l.busy)
	// The bytes queued ahead take start-now to drain; the datagram fits if
	// they and it fit the queue. Comparing times avoids rounding bytes.
	room := p.queueBytes() - size
	if room < 0 || start-now > txTime(room, p.Rate) {
		return 0, false
	}
	l.busy = start + txTime(size, p.Rate)
	return l.busy, true
}

// txTime returns how long size bytes take to serialize at rate bytes/s,
// without overflowing for any queue size.
func txTime(size int, rate int64) time.Duration {
	hi, lo := bits.Mul64(uint64(size), uint64(time.Second))
	if hi >= uint64(rate) {
		return time.Duration(1<<63 - 1)
	}
	q, _ := bits.Div64(hi, lo, uint64(rate))
	return time.Duration(min(q, 1<<63-1))
}
