package simnet

import "time"

// run is the network's scheduler: one goroutine, woken by one timer set to
// the earliest arrival, moves arriving datagrams to their sockets. It blocks
// on the timer's and quit's channels only, so that in a bubble it is durably
// blocked between arrivals and virtual time can advance.
func (n *Network) run() {
	for {
		select {
		case <-n.timer.C:
			n.arrive()
		case <-n.quit:
			return
		}
	}
}

// scheduleLocked puts a copy of o in flight, to arrive at due.
func (n *Network) scheduleLocked(now, due time.Duration, o offer, l *link) {
	p := n.newPacketLocked(o.data)
	p.src, p.dst, p.due, p.link = o.src, o.dst, due, l
	n.seq++
	n.flights.push(flight{due: due, seq: n.seq, p: p})
	if n.flights.next().p == p {
		n.armLocked(now)
	}
}

// armLocked sets the timer to the earliest arrival, or stops it when nothing
// is in flight.
func (n *Network) armLocked(now time.Duration) {
	if n.flights.len() == 0 {
		n.timer.Stop()
		return
	}
	n.timer.Reset(n.flights.next().due - now)
}

// arrive lands every copy due by now. Where a copy lands is decided, and
// counted, at its arrival time: addresses and sockets may have changed while
// it was in flight. The tap sees the copies before their sockets do, with
// the lock released so that it may call the network.
func (n *Network) arrive() {
	n.mu.Lock()
	now := n.now()
	landed := n.landed[:0]
	for n.flights.len() > 0 && n.flights.next().due <= now {
		p := n.flights.pop().p
		p.to = n.socketLocked(p.dst)
		p.link.stats.count(p.fate())
		landed = append(landed, p)
	}
	n.armLocked(now)
	n.mu.Unlock()

	n.tap.arrivals(n.epoch, landed)

	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range landed {
		if p.to != nil {
			p.to.receiveLocked(p)
		} else {
			n.freeLocked(p)
		}
	}
	clear(landed)
	n.landed = landed[:0]
}

// fate tells whether a landed packet found a socket.
func (p *packet) fate() Fate {
	if p.to == nil {
		return NoListener
	}
	return Delivered
}
