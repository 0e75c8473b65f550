package mobility

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// After a fallback the Conn goes on over a new association, the way
// RSerPool session failover does (new association, cookie): the dialler,
// which knows the peer's handle, resolves it and dials anew, and opens the
// association with a Cookie Echo that names the session's token and what
// it delivered; the acceptor finds the session by its token, switches it
// to the new association and answers with a Cookie that says what it
// delivered. Each then sends again what the other has not delivered.
// Only the dialler dials, so the two ends never set up two associations
// for one session.

// ErrPeerFailedOver is the reason of the acceptor's fallback when the
// dialler continued the session over a new association before the
// acceptor noticed the old one was lost.
var ErrPeerFailedOver = errors.New("mobility: the peer continued the session over a new association")

// errResumeGap refuses a continuation whose counts do not fit: the peer
// reports fewer messages delivered than it had already acknowledged, or
// more than were sent.
var errResumeGap = errors.New("mobility: the peer's delivered counts do not fit the session")

// failoverResult is a new association that carries the Conn on.
type failoverResult struct {
	a      *stack.Association
	resent int
}

// connectTimeout bounds the wait for the answer to a session's Cookie
// Echo: three initial retransmission timeouts, so that one lost packet is
// retried.
func (n *Node) connectTimeout() time.Duration {
	rto := n.cfg.Endpoint.RTOInitial
	if rto <= 0 {
		rto = stack.DefaultRTOInitial
	}
	return 3 * rto
}

// detach stops the Conn using old (if it still is its association) and
// aborts it: from now on nothing received counts, so the counts a
// failover reports are final.
func (c *Conn) detach(old *stack.Association) {
	c.mu.Lock()
	mine := c.a == old
	if mine {
		c.a, c.tx = nil, false
	}
	c.mu.Unlock()
	if mine {
		old.Abort("mobility: failing over")
	}
}

// attachRx makes a the Conn's association for receiving (its sending
// waits for the resend) and returns what the Conn delivered.
func (c *Conn) attachRx(a *stack.Association) (counts, *stack.Association) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.a
	c.a, c.tx, c.in.eof = a, false, false
	return cloneCounts(c.delivered), old
}

// resume is the dialler's side: continue the session over a, a new
// association with the peer.
func (c *Conn) resume(ctx context.Context, a *stack.Association) (failoverResult, error) {
	select {
	case <-c.resumed: // an answer on an earlier association
	default:
	}
	key, seq := c.nextResume()
	if key == nil {
		return failoverResult{}, errNotKeyed
	}
	mine, _ := c.attachRx(a)
	c.startPump(a)
	m := sessionMsg{kind: kindResume, token: c.token, seq: seq, delivered: mine}
	m.sign(key)
	if err := sendSession(ctx, a, m); err != nil {
		c.detach(a)
		return failoverResult{}, err
	}
	wait, cancel := context.WithTimeout(ctx, c.node.connectTimeout())
	defer cancel()
	select {
	case m := <-c.resumed:
		if m.seq != seq || !m.provenBy(key) {
			c.detach(a)
			return failoverResult{}, fmt.Errorf("%w (the answer to continuation %d)", ErrSessionProof, seq)
		}
		c.sendMu.Lock()
		defer c.sendMu.Unlock()
		resent, err := c.resend(ctx, a, m.delivered)
		if err != nil {
			c.detach(a)
			return failoverResult{}, err
		}
		return failoverResult{a: a, resent: resent}, nil
	case <-a.Done():
		c.detach(a)
		return failoverResult{}, fmt.Errorf("mobility: the peer refused the session: %w", a.Err())
	case <-wait.Done():
		c.detach(a)
		return failoverResult{}, fmt.Errorf("mobility: the peer did not answer the session's Cookie Echo: %w", wait.Err())
	}
}

// nextResume returns the session key and the counter of the dialler's
// next continuation; the key is nil while the session has none.
func (c *Conn) nextResume() ([]byte, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.resumes++
	return c.key, c.resumes
}

// acceptResume checks a continuation's proof (session_key.go): signed
// with the session key, with a counter above every one accepted before,
// which it then spends.
func (c *Conn) acceptResume(m sessionMsg) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m.seq <= c.resumes || !m.provenBy(c.key) {
		return ErrSessionProof
	}
	c.resumes = m.seq
	return nil
}

func (c *Conn) sessionKey() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.key
}

// keyed takes the acceptor's answer to the dialler's opening: its public
// key gives the session key.
func (c *Conn) keyed(peer [publicKeyLen]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keyPriv == nil {
		return false // not the dialler, or keyed already
	}
	key, err := deriveKey(c.keyPriv, peer, c.token)
	if err != nil {
		return false
	}
	c.key, c.keyPriv = key, nil
	close(c.opened)
	return true
}

// adopt is the acceptor's side: the dialler continued the session over a
// with the proven continuation m, having delivered what m says. The old
// association, if any, is aborted.
func (c *Conn) adopt(ctx context.Context, a *stack.Association, m sessionMsg) error {
	peer := m.delivered
	if err := c.fits(peer); err != nil {
		return err
	}
	mine, old := c.attachRx(a)
	if old != nil {
		// Before taking sendMu: a Send may be blocked on old, held while
		// its paths are down.
		old.Abort("mobility: the session failed over")
	}
	c.startPump(a)
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	answer := sessionMsg{kind: kindResumed, token: c.token, seq: m.seq, delivered: mine}
	answer.sign(c.sessionKey())
	if err := sendSession(ctx, a, answer); err != nil {
		c.detach(a)
		return err
	}
	resent, err := c.resend(ctx, a, peer)
	if err != nil {
		c.detach(a)
		return err
	}
	select {
	case <-c.adopted: // an earlier one the driver did not take: it is gone
	default:
	}
	c.adopted <- failoverResult{a: a, resent: resent}
	return nil
}

// fits checks the peer's delivered counts against what was sent.
func (c *Conn) fits(peer counts) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.endErr != nil {
		return c.endErr
	}
	for s, n := range peer {
		if n < c.acked[s] || n > c.sent[s] {
			return errResumeGap
		}
	}
	return nil
}

// resend sends again, over a, every message the peer has not delivered,
// in the order first sent, then lets Send use a, and returns how many of
// them had been sent before (the others were numbered during the
// failover). The caller holds sendMu.
func (c *Conn) resend(ctx context.Context, a *stack.Association, peer counts) (int, error) {
	if err := c.fits(peer); err != nil {
		return 0, err
	}
	c.acknowledged(peer)
	c.mu.Lock()
	msgs := append([]outMsg(nil), c.unacked...)
	c.mu.Unlock()
	resent := 0
	for _, m := range msgs {
		if err := a.SendMsg(ctx, m.data, stack.SendInfo{Stream: m.stream, PPID: PPID}); err != nil {
			return 0, err
		}
		if m.sent {
			resent++
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.a != a {
		return 0, errors.New("mobility: the association changed during the resend")
	}
	c.tx = true
	for i := range c.unacked {
		c.unacked[i].sent = true
	}
	c.stats.Failovers++
	c.stats.Resent += uint64(resent)
	return resent, nil
}

// drained waits until the pump has read everything a peer that shut down
// gracefully sent, or ctx ends.
func (c *Conn) drained(ctx context.Context) {
	c.mu.Lock()
	done := c.pumpDone
	c.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
