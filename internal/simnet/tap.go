package simnet

import (
	"net/netip"
	"strconv"
	"sync"
	"time"
)

// Fate is what became of a copy of a datagram.
type Fate uint8

// The fates, in the order a datagram meets them.
const (
	Delivered  Fate = iota // arrived at an open socket
	Filtered               // dropped by a filter
	LinkDown               // dropped because the link was down
	QueueFull              // dropped because the link's queue was full
	Lost                   // dropped at random on the wire
	NoListener             // arrived where no socket listened
)

var fateNames = [...]string{"delivered", "filtered", "link down", "queue full", "lost", "no listener"}

func (f Fate) String() string {
	if int(f) < len(fateNames) {
		return fateNames[f]
	}
	return "Fate(" + strconv.Itoa(int(f)) + ")"
}

// PacketFunc observes a copy of a datagram when its fate is settled: at ts,
// the time it was sent if the sender's side dropped it, else the time it
// arrived. data is valid only during the call.
type PacketFunc func(ts time.Time, src, dst netip.AddrPort, data []byte, fate Fate)

// tap passes datagrams to the OnPacket callback. Its mutex serializes the
// calls, so that the callback (a pcapng writer, say) needs no lock of its
// own.
type tap struct {
	mu sync.Mutex
	f  PacketFunc
}

// OnPacket makes f observe every datagram sent from now on, with its fate;
// a duplicated datagram is observed once per copy. Calls are serialized but
// may come from any goroutine. f must not call OnPacket. A nil f stops the
// observation.
func (n *Network) OnPacket(f PacketFunc) {
	n.tap.mu.Lock()
	defer n.tap.mu.Unlock()
	n.tap.f = f
}

func (t *tap) report(ts time.Time, o offer, fate Fate) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f != nil {
		t.f(ts, o.src, o.dst, o.data, fate)
	}
}

func (t *tap) arrivals(epoch time.Time, landed []*packet) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.f == nil {
		return
	}
	for _, p := range landed {
		t.f(epoch.Add(p.due), p.src, p.dst, p.data, p.fate())
	}
}
