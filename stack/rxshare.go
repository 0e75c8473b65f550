package stack

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/encap"
)

// rxShare divides an endpoint's receive budget, the bytes its socket can
// hold, among the associations that are receiving data, once the socket
// has shown that it overflows: for a while after the OS last dropped a
// datagram there (rxShareHold), each advertises at most its share of the
// budget as its window (a_rwnd), besides what its own buffer allows.
//
// Without it every association advertised its whole RecvBuffer (4 MiB),
// and 256 senders to one server endpoint together had far more in flight
// than the socket's receive buffer (also 4 MiB) holds while the server's
// reader works through it: the kernel dropped datagrams, and an
// association that lost the tail of its flight got no miss indications
// and waited for its retransmission timer, at least RTO.Min (1 s).
// BenchmarkMultiAssoc with 256 associations, 2,000,000 messages: 517
// datagrams dropped, 174 of the 256 associations had a timeout, and when
// half was delivered the smallest association had 0.12 of the largest's
// bytes. With the windows capped at a 256th of the budget nothing was
// dropped, no timer expired and that ratio was 0.98. The cap also evens
// the shares when nothing is lost: senders whose windows limit them
// share a FIFO queue in proportion to those windows.
//
// The cap waits for drops because a window is not what the socket holds:
// on a long path most of a window is in the network, arriving at the
// link's pace, and capping every association at its share of the socket
// buffer (a few hundred KB without privilege) would cap long transfers
// that never overflow it. Where the OS does not tell its drops, nothing
// is capped, as before.
//
// The share caps what is advertised, not what is accepted: DATA beyond
// it that fits the association's buffer is taken, so a peer that sent
// on an older, larger window loses nothing. A lone receiving
// association is not capped: it competes with nobody for the socket,
// and the single-association path stays as it was. An
// association counts as receiving in the epoch (rxShareEpoch) in which
// it sent a SACK, and until the end of the next one, so that one that
// stopped gives its share back within two epochs.
type rxShare struct {
	budget int           // bytes all the receiving associations' windows together may offer
	drops  func() uint64 // the OS's count of datagrams dropped at the socket; nil if it does not tell

	checkAt   atomic.Int64 // when drops is next read (Unix ns)
	capUntil  atomic.Int64 // when the cap ends if nothing more is dropped (Unix ns)
	lastDrops uint64       // what drops said last; under mu

	mu        sync.Mutex
	epoch     int64        // the current epoch's number
	cur, prev int          // associations that sent a SACK in the current and the previous epoch
	receivers atomic.Int32 // max(cur, prev)
}

const (
	// rxShareEpoch is longer than the default delayed SACK timer
	// (200 ms): an association that receives steadily SACKs in every
	// epoch.
	rxShareEpoch = 250 * time.Millisecond
	// rxShareCheck is how often the socket's drop count is read (a
	// system call), rxShareHold how long windows stay capped after the
	// last drop seen.
	rxShareCheck = 10 * time.Millisecond
	rxShareHold  = 30 * time.Second
	// rxShareMin is the smallest share: four full packets, so that a
	// loss is still found by miss indications (section 7.2.4) instead of
	// by the retransmission timer.
	rxShareMin = 4 * 1500
)

// window returns what an association with w bytes of free buffer may
// advertise in a SACK sent at now, and counts it as receiving. last is
// the association's own record of the epoch it was last counted in; only
// its loop touches it.
func (s *rxShare) window(now time.Time, last *int64, w int) int {
	if e := now.UnixNano() / int64(rxShareEpoch); e != *last {
		s.count(e)
		*last = e
	}
	return s.capped(now, w)
}

// capped returns what an association with w bytes of free buffer may
// advertise at now, without counting it as receiving.
func (s *rxShare) capped(now time.Time, w int) int {
	ns := now.UnixNano()
	if s.drops != nil && ns >= s.checkAt.Load() {
		s.checkDrops(ns)
	}
	n := int(s.receivers.Load())
	if n <= 1 || ns >= s.capUntil.Load() {
		return w
	}
	return min(w, max(s.budget/n, rxShareMin))
}

// checkDrops reads the socket's drop count at ns (Unix ns) and caps the
// windows for rxShareHold if it grew.
func (s *rxShare) checkDrops(ns int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ns < s.checkAt.Load() {
		return // another association just did
	}
	s.checkAt.Store(ns + int64(rxShareCheck))
	if d := s.drops(); d != s.lastDrops {
		s.lastDrops = d
		s.capUntil.Store(ns + int64(rxShareHold))
	}
}

// count adds one receiving association to epoch e.
func (s *rxShare) count(e int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e > s.epoch {
		s.prev = s.cur
		if e > s.epoch+1 {
			s.prev = 0 // an epoch passed with no SACK at all
		}
		s.cur, s.epoch = 0, e
	}
	s.cur++
	s.receivers.Store(int32(max(s.cur, s.prev)))
}

// socketDrops returns conn's count of datagrams the OS dropped before
// they were read, or nil where it does not tell (see encap.Stats).
func socketDrops(conn PacketConn) func() uint64 {
	if c, ok := conn.(interface{ ReceiveDrops() uint64 }); ok {
		return c.ReceiveDrops
	}
	return nil
}

// receiveBudget is the receive buffer conn's sockets were granted, if it
// tells, and at most what was asked for. Linux reports twice the usable
// size (see encap.Stats).
func receiveBudget(conn PacketConn, asked int) int {
	c, ok := conn.(interface{ Stats() encap.Stats })
	if !ok {
		return asked
	}
	got := c.Stats().ReadBuffer
	if runtime.GOOS == "linux" {
		got /= 2
	}
	if got <= 0 {
		return asked
	}
	return min(got, asked)
}
