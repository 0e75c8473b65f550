package stack

import (
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/internal/eventq"
	"github.com/mobisctp/mobisctp/stack/auth"
)

// state is the association state of RFC 9260 section 4.
type state uint8

const (
	stateClosed state = iota
	stateCookieWait
	stateCookieEchoed
	stateEstablished
	stateShutdownPending
	stateShutdownSent
	stateShutdownReceived
	stateShutdownAckSent
)

func (s state) String() string {
	return [...]string{"CLOSED", "COOKIE-WAIT", "COOKIE-ECHOED", "ESTABLISHED",
		"SHUTDOWN-PENDING", "SHUTDOWN-SENT", "SHUTDOWN-RECEIVED", "SHUTDOWN-ACK-SENT"}[s]
}

// Association is one SCTP association. Its protocol state belongs to
// whichever goroutine holds its token (see assoc_owner.go): one at a time
// runs the loop's rounds. The methods hand work to it through queues.
type Association struct {
	ep  *Endpoint
	cfg *Config
	log logging.LeveledLogger

	own     atomic.Int32  // who runs rounds: ownFree, ownBusy, ownAgain or ownEnded
	timer   *time.Timer   // runs a round at the next deadline; made on first use
	timerAt time.Time     // the deadline timer was last set for (see armTimer)
	done    chan struct{} // closed when the association has ended
	up      chan struct{} // closed when the association is established (or gone)

	onRecv  atomic.Pointer[func()] // see OnRecv
	recvDue atomic.Bool            // onRecv is to be called after the round

	in    inbox
	sendq sendQueue
	recvq recvQueue
	// pins counts the packet buffers that received chunks are kept in
	// until read; like the messages in recvq, they outlive a restart.
	pins   pins
	events *eventq.Queue[Event]

	// Set before the loop starts and never changed: safe to read anywhere.
	localPort, peerPort uint16

	// Routing entries, guarded by ep.mu.
	routeTag     uint32
	routePeerTag uint32
	routePeers   []netip.Addr

	// mu guards the fields that API calls read while the loop runs.
	mu    sync.Mutex
	info  assocInfo
	final *Stats // the last snapshot, for Stats after the end (a pointer: idle associations are many)

	// Everything below belongs to the loop.
	state       state
	localTag    uint32
	peerTag     uint32
	peer        peerFeatures
	auth        *auth.Session // SCTP-AUTH, nil when not negotiated
	addip       asconfState   // RFC 5061
	pathManager               // the paths and where data goes (paths.go)
	errors      int           // association error counter (section 8.1)
	dial        dialTrace

	tx         sender
	rx         receiver
	hs         handshake
	shutdown   shutdownState
	ctrl       []ctrlChunk // control chunks waiting for the next flush
	pktScratch []rxPacket
	cmdScratch []func(time.Time)
	tally      ackTally              // scratch for SACK processing
	streamQs   map[uint16]*recvQueue // streams opened with Stream
	reconf     reconfig              // stream resets (RFC 6525)
	accepting  streamAccept          // streams the peer opens, for AcceptStream
	stats      AssocStats
	closeErr   error     // why the association ended
	idleAt     time.Time // when the association trims if no round runs before
	rxEpoch    int64     // the epoch ep.rxShare last counted it in
}

// assocInfo is what API calls may read without asking the loop.
type assocInfo struct {
	state state
	// streamsOut is read without the lock: SendMsg checks every message's
	// stream against it, and a lock there costs a bulk sender of small
	// messages a few percent of its CPU.
	streamsOut atomic.Uint32
	streamsIn  uint16
	err        error
}

// peerFeatures records what the peer advertised in its INIT or INIT ACK.
type peerFeatures struct {
	prsctp   bool // Forward-TSN-Supported (RFC 3758)
	idata    bool // I-DATA in Supported Extensions (RFC 8260)
	reconfig bool // RE-CONFIG in Supported Extensions (RFC 6525)
}

func newAssociation(ep *Endpoint) *Association {
	a := &Association{
		ep:        ep,
		cfg:       &ep.cfg,
		log:       ep.log,
		done:      make(chan struct{}),
		up:        make(chan struct{}),
		localPort: ep.Port(),
	}
	a.own.Store(ownBusy) // until Endpoint.start: work queued before waits for it
	a.pathManager.cfg = a.cfg
	a.sendq.limit = a.cfg.SendBuffer
	a.recvq.watch = &a.rx.watch // rx.init arms it
	a.pins.limit = pinLimit(a.cfg.RecvBuffer)
	a.events = eventq.New[Event](a.cfg.EventQueue)
	return a
}

// exec runs f in a round and waits for it, unless the association is
// gone (then it returns false). The round runs on the caller's goroutine
// if no other runs rounds at the moment. f gets the round's time, as all
// protocol code does: none of it reads the clock.
func (a *Association) exec(f func(now time.Time)) bool {
	ran := make(chan struct{})
	a.in.mu.Lock()
	a.in.cmds = append(a.in.cmds, func(now time.Time) { f(now); close(ran) })
	a.in.mu.Unlock()
	a.poke()
	select {
	case <-ran:
		return true
	case <-a.done:
		return false
	}
}

// round is one pass of the loop: process everything queued, fire the
// expired timers, send what that produced and arm the timer for the next
// deadline. It returns false once the association has ended (after
// finishing it), and then no round may run again.
func (a *Association) round() bool {
	now := time.Now()
	b := a.ep.getBuilder(a)
	a.processInbox(now, b)
	a.takeUserData(now)
	a.windowUpdate(now)
	a.fireTimers(now)
	a.pumpReconfig(now)
	// Published before the packets go out: whoever learns from the peer's
	// answer to them (streams added, say) finds the API calls up to date.
	a.publish()
	a.flush(now, b)
	a.ep.putBuilder(b)
	if a.state == stateClosed {
		a.stopTimer()
		a.finish()
		a.ep.loops.Done()
		return false
	}
	a.trimIfIdle(now)
	a.armTimer(now)
	return true
}

// processInbox handles the packets and commands queued for the loop. A
// SACK that is due goes into b as soon as it is (every second DATA packet,
// section 6.2), not once for the whole batch, so that the peer's window
// grows as the RFC intends; b sends them all together.
func (a *Association) processInbox(now time.Time, b *builder) {
	a.pktScratch, a.cmdScratch = a.in.take(a.pktScratch, a.cmdScratch)
	for _, f := range a.cmdScratch {
		f(now)
	}
	for i := range a.pktScratch {
		p := &a.pktScratch[i]
		if a.state != stateClosed {
			a.handlePacket(now, p)
			a.pins.done()
			if a.rx.sackNow && a.dataAllowed() {
				b.auth = a.auth
				a.flushCtrl(b) // a COOKIE ACK, say, goes first (section 5.1)
				a.flushSack(now, b)
				b.close() // the next SACK of the batch is a packet of its own
			}
		}
		a.ep.bufs.put(p.buf)
	}
}

// publish copies the state API calls read into info.
func (a *Association) publish() {
	a.mu.Lock()
	a.info.state = a.state
	a.info.streamsOut.Store(uint32(len(a.tx.streams)))
	if a.rx.reasm != nil {
		a.info.streamsIn = uint16(len(a.rx.reasm.streams))
	}
	a.mu.Unlock()
}

// nextDeadline returns the earliest timer of the association.
func (a *Association) nextDeadline() time.Time {
	var next time.Time
	earlier := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	earlier(a.hs.t1)
	earlier(a.shutdown.t2)
	earlier(a.shutdown.t5)
	earlier(a.rx.sackDue)
	earlier(a.tx.nagleDue)
	earlier(a.tx.probeDue)
	earlier(a.switchbackDue)
	earlier(a.addip.holdUntil)
	earlier(a.reconf.due)
	if a.addip.tx != nil {
		if t4, ok := a.addip.tx.Deadline(); ok {
			earlier(t4)
		}
	}
	for _, p := range a.paths {
		earlier(p.t3)
		earlier(p.hbDue)
		earlier(a.pmtuDeadline(p))
	}
	return next
}

// fireTimers runs the handlers of every timer that has expired.
func (a *Association) fireTimers(now time.Time) {
	if expired(a.hs.t1, now) {
		a.onT1(now)
	}
	if expired(a.shutdown.t2, now) {
		a.onT2(now)
	}
	if expired(a.shutdown.t5, now) {
		a.onT5(now)
	}
	if expired(a.rx.sackDue, now) {
		a.rx.sackNow = true
	}
	if expired(a.tx.nagleDue, now) {
		a.tx.nagleDue = time.Time{}
		a.tx.nagleOver = true // the held data goes out with this flush
	}
	if expired(a.switchbackDue, now) {
		a.onSwitchback(now)
	}
	if expired(a.addip.holdUntil, now) {
		a.onHoldExpired(now)
	}
	if expired(a.reconf.due, now) {
		a.onReconfigTimer(now)
	}
	if a.addip.tx != nil {
		if t4, ok := a.addip.tx.Deadline(); ok && expired(t4, now) {
			a.onT4(now)
		}
	}
	for _, p := range a.paths {
		if a.state == stateClosed {
			return
		}
		if expired(p.t3, now) {
			a.onT3(now, p)
		}
		if expired(p.hbDue, now) {
			a.onHeartbeatTimer(now, p)
		}
		a.onPMTUTimer(now, p)
	}
}

func expired(t, now time.Time) bool { return !t.IsZero() && !now.Before(t) }

// lingerTime is how long the endpoint keeps quiet toward late packets of
// a that closed gracefully: two of its longest RTO, by when the answer to
// anything a sent has arrived or been lost.
func (a *Association) lingerTime() time.Duration {
	var d time.Duration
	for _, p := range a.paths {
		d = max(d, p.rto.rto)
	}
	return 2 * d
}

// finish runs when the loop exits: it wakes every waiter with the reason.
func (a *Association) finish() {
	// Out of the tables first: whoever learns of the end from a waiter
	// below may Dial the same peer again at once.
	a.ep.remove(a)
	a.dropReceived()
	err := a.closeErr
	if err == nil {
		a.ep.endedTags.add(a.routeTag, time.Now().Add(a.lingerTime()))
		err = ErrClosed
	}
	final := a.snapshot()
	a.mu.Lock()
	a.info.state = stateClosed
	a.info.err = err
	a.final = &final
	a.mu.Unlock()

	a.sendq.mu.Lock()
	a.sendq.closed = err
	a.sendq.space.broadcast()
	a.sendq.mu.Unlock()

	a.eachQueue(func(q *recvQueue) {
		q.closed = err
		q.ready.broadcast()
	})

	a.events.Close()
	// Drain packets that raced with the exit so their buffers return.
	pkts, _ := a.in.take(nil, nil)
	for _, p := range pkts {
		a.ep.bufs.put(p.buf)
	}
	close(a.done)
	select {
	case <-a.up:
	default:
		close(a.up)
	}
}
