package simnet

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

// Two hosts, a and b, each with two addresses: the usual multi-homed pair.
var (
	a1 = netip.MustParseAddr("10.0.1.1")
	a2 = netip.MustParseAddr("10.0.2.1")
	b1 = netip.MustParseAddr("10.0.1.2")
	b2 = netip.MustParseAddr("10.0.2.2")
)

const (
	portA = 1000
	portB = 2000
)

// testNet is a network with hosts a and b and a Conn on each, ca on portA
// and cb on portB, whose handlers record what they receive.
type testNet struct {
	*Network
	a, b   *Host
	ca, cb *Conn
	ra, rb *recorder
}

// newTestNet builds a testNet that closes when the test ends. Inside a
// bubble it must run in the bubble.
func newTestNet(t *testing.T, seed int64) *testNet {
	t.Helper()
	n := New(seed)
	t.Cleanup(n.Close)
	tn := &testNet{Network: n, a: n.AddHost("a", a1, a2), b: n.AddHost("b", b1, b2)}
	tn.ca, tn.ra = openRecorded(t, tn.a, portA)
	tn.cb, tn.rb = openRecorded(t, tn.b, portB)
	return tn
}

func openRecorded(t *testing.T, h *Host, port int) (*Conn, *recorder) {
	t.Helper()
	r := newRecorder()
	c, err := h.Open(port, r.handle)
	if err != nil {
		t.Fatalf("Open(%d): %v", port, err)
	}
	return c, r
}

// send sends payload from src on c to dst, failing the test on error.
func send(t *testing.T, c *Conn, src netip.Addr, dst netip.AddrPort, payload []byte) {
	t.Helper()
	if err := c.Send(encap.Datagram{Data: payload, Local: netip.AddrPortFrom(src, 0), Remote: dst}); err != nil {
		t.Fatalf("Send from %v to %v: %v", src, dst, err)
	}
}

// numbered returns a payload of size bytes (at least 4) carrying i.
func numbered(i, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint32(b, uint32(i))
	return b
}

func number(b []byte) int { return int(binary.BigEndian.Uint32(b)) }

// arrival is one datagram as a handler saw it.
type arrival struct {
	at            time.Duration // since the recorder was made
	call          int           // which handler call delivered it, from 1
	local, remote netip.AddrPort
	data          []byte
}

// recorder is a handler that remembers what it receives.
type recorder struct {
	start time.Time
	mu    sync.Mutex
	calls int
	got   []arrival
}

func newRecorder() *recorder { return &recorder{start: time.Now()} }

func (r *recorder) handle(batch []encap.Datagram) {
	at := time.Since(r.start)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	for _, d := range batch {
		r.got = append(r.got, arrival{at: at, call: r.calls, local: d.Local, remote: d.Remote, data: slices.Clone(d.Data)})
	}
}

func (r *recorder) arrivals() []arrival {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// numbers returns the numbers of the payloads received, in arrival order.
func (r *recorder) numbers() []int {
	var ns []int
	for _, a := range r.arrivals() {
		ns = append(ns, number(a.data))
	}
	return ns
}

// event is a datagram as the OnPacket callback saw it.
type event struct {
	ts       time.Time
	src, dst netip.AddrPort
	data     string
	fate     Fate
}

// eventLog records OnPacket events.
type eventLog struct {
	mu     sync.Mutex
	events []event
}

func (l *eventLog) record(ts time.Time, src, dst netip.AddrPort, data []byte, fate Fate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, event{ts, src, dst, string(data), fate})
}

func (l *eventLog) all() []event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}
