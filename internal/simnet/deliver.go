package simnet

import "github.com/mobisctp/mobisctp/encap"

// maxBatch bounds the datagrams passed to a handler in one call, like the
// message vector of a socket reader built on recvmmsg(2).
const maxBatch = 64

// receiveLocked queues an arrived packet for the handler, or recycles it if
// the Conn has closed meanwhile.
func (c *Conn) receiveLocked(p *packet) {
	if c.closed {
		c.host.net.freeLocked(p)
		return
	}
	c.inbox.push(p)
	select {
	case c.ready <- struct{}{}:
	default: // a token is already waiting
	}
}

// deliver is the Conn's socket reader. It passes the datagrams that arrive
// to the handler in batches until the Conn closes. Between batches it blocks
// on channels only, so that in a bubble it is durably blocked and virtual
// time can advance.
func (c *Conn) deliver() {
	defer close(c.exited)
	var (
		batch []*packet
		ds    []encap.Datagram
	)
	for {
		batch = c.next(batch)
		if len(batch) > 0 {
			ds = c.handle(batch, ds)
			continue
		}
		select {
		case <-c.ready:
		case <-c.done:
			return
		}
	}
}

// next recycles the packets of the previous batch and takes the next batch
// from the inbox: what arrived since, up to maxBatch, on one local address,
// since an encap handler gets each batch from one socket. In a bubble, what
// arrived since is what arrived at the current instant, unless the handler
// blocked while time moved on.
func (c *Conn) next(prev []*packet) []*packet {
	n := c.host.net
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, p := range prev {
		n.freeLocked(p)
	}
	batch := prev[:0]
	for !c.closed && c.inbox.len() > 0 && len(batch) < maxBatch {
		if len(batch) > 0 && c.inbox.peek().dst != batch[0].dst {
			break
		}
		batch = append(batch, c.inbox.pop())
	}
	return batch
}

// handle passes a batch to the handler, reusing ds for the datagrams.
func (c *Conn) handle(batch []*packet, ds []encap.Datagram) []encap.Datagram {
	ds = ds[:0]
	for _, p := range batch {
		ds = append(ds, encap.Datagram{Data: p.data, Local: p.dst, Remote: p.src})
	}
	c.handler(ds)
	return ds
}
