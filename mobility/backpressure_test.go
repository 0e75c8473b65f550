package mobility

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simstack"
)

// The two deadlocks found by running mobile nodes as processes, in
// virtual time: a failover while Send waits for room in a full resend
// buffer, and an echo server whose reader calls Send while its peer's
// checkpoints wait behind data. Both exchanges are bounded by a context;
// a Send blocked on a mutex does not let virtual time pass, though, so
// the first deadlock hangs until the test's timeout.

// burst sends count numbered messages of messageSize bytes on stream 1
// as fast as Send takes them, and returns their SHA-256.
func burst(ctx context.Context, c *Conn, count int) ([32]byte, error) {
	var sent simstack.Tally
	for i := range count {
		msg := simstack.Message(i, messageSize-simstack.MessageHeader)
		if err := c.Send(ctx, msg, 1); err != nil {
			return [32]byte{}, fmt.Errorf("message %d: %w", i, err)
		}
		sent.Add(msg)
	}
	return sent.Sum(), nil
}

// TestFailoverWithFullResendBuffer: both ends send as fast as they can
// with a resend buffer of 32 messages, and node A loses its only address
// for 2 s (RecoverFailover). Both buffers fill during the outage, so
// both Sends wait for room while the failover runs on each side (A
// resumes as the dialler, B adopts): the failover's resend must not wait
// for the Send, which waits for the room the resend frees. Every message
// arrives once and in order, and both ends found the buffer full.
func TestFailoverWithFullResendBuffer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.handover.Recovery = RecoverFailover
		w.resendBuffer = map[string]int{"A": 32, "B": 32}
		_, ca, _, cb := dialPair(t, w, "node-a")
		evA := collect(ca)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		const count = 3000
		var wg sync.WaitGroup
		var sentAB, sentBA [32]byte
		var errAB, errBA error
		var gotAB, gotBA receipt
		wg.Go(func() { sentAB, errAB = burst(ctx, ca, count) })
		wg.Go(func() { sentBA, errBA = burst(ctx, cb, count) })
		wg.Go(func() { gotAB = drain(ctx, cb, count) })
		wg.Go(func() { gotBA = drain(ctx, ca, count) })
		time.Sleep(200 * time.Millisecond)
		w.hosts["A"].RemoveAddr(nodeA1)
		time.Sleep(2 * time.Second)
		w.hosts["A"].AddAddr(nodeA2)
		wg.Wait()
		for _, d := range []struct {
			name      string
			sent      [32]byte
			sendErr   error
			got       receipt
			sender    *Conn
			receiving *Conn
		}{{"A->B", sentAB, errAB, gotAB, ca, cb}, {"B->A", sentBA, errBA, gotBA, cb, ca}} {
			if d.sendErr != nil || d.got.err != nil {
				t.Errorf("%s: send %v, receive %v; sender %+v", d.name, d.sendErr, d.got.err, d.sender.Stats())
				continue
			}
			if d.sent != d.got.sum {
				t.Errorf("%s: SHA-256 differs", d.name)
			}
			if st := d.sender.Stats(); st.BufferFull == 0 || st.Failovers != 1 {
				t.Errorf("%s: sender %+v, want the buffer found full and one failover", d.name, st)
			}
		}
		evA.failedOver(t, "A", ErrPathsLost)
	})
}

// TestEchoServerReaderSends: B is an echo server whose reader sends each
// message back before it reads the next, with a resend buffer of 16
// messages; A sends 2000 messages as fast as its buffer (the default,
// 1024) lets it and reads the echoes in another goroutine. B's Send
// waits for A's checkpoints while B does not read; the checkpoints come
// on the same association as A's data, which must not keep B from
// reading them. Every echo arrives once and in order.
func TestEchoServerReaderSends(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t)
		w.resendBuffer = map[string]int{"B": 16}
		_, ca, _, cb := dialPair(t, w, "node-a")
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		const count = 2000
		var wg sync.WaitGroup
		var sent [32]byte
		var sendErr, echoErr error
		var got receipt
		wg.Go(func() { sent, sendErr = burst(ctx, ca, count) })
		wg.Go(func() { got = drain(ctx, ca, count) })
		wg.Go(func() { echoErr = echo(ctx, cb, count) })
		wg.Wait()
		if sendErr != nil || echoErr != nil || got.err != nil {
			t.Fatalf("send %v, echo %v, receive %v; A %+v, B %+v", sendErr, echoErr, got.err, ca.Stats(), cb.Stats())
		}
		if sent != got.sum {
			t.Error("SHA-256 of the echoes differs")
		}
		if st := cb.Stats(); st.BufferFull == 0 {
			t.Errorf("B %+v: its resend buffer never filled, the test does not test the wait", st)
		}
	})
}

// echo sends count messages back the way they came, reading the next
// only after the Send of the last returned.
func echo(ctx context.Context, c *Conn, count int) error {
	buf := make([]byte, 512)
	for i := range count {
		n, stream, err := c.Recv(ctx, buf)
		if err != nil {
			return fmt.Errorf("message %d: %w", i, err)
		}
		if err := c.Send(ctx, buf[:n], stream); err != nil {
			return fmt.Errorf("echo %d: %w", i, err)
		}
	}
	return nil
}
