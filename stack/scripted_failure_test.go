package stack

// A peer that crashes, and one that comes back (RFC 9260 sections 8.1,
// 6.3.3 and 5.2.4 case A); many associations on one endpoint.

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// A peer that stops answering: the DATA is retransmitted on T3 with the RTO
// doubling up to RTO.Max, and after Association.Max.Retrans
// retransmissions the association is declared lost (sections 6.3.3 and
// 8.1).
func TestPeerCrashCommunicationLost(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, _ := r.connect()
		sendString(t, a, "anyone there?")
		var sent []time.Time
		var tsn uint32
		for {
			pk, ok := r.peer.next(waitLimit)
			if !ok {
				t.Fatal("the association neither retransmits nor gives up")
			}
			if pk.find(wire.TypeAbort) != nil {
				break // an ABORT when giving up is optional
			}
			d := chunkOf[wire.Data](t, pk)
			if len(sent) > 0 && d.TSN != tsn {
				t.Fatalf("retransmission carries TSN %d, want %d", d.TSN, tsn)
			}
			tsn = d.TSN
			sent = append(sent, pk.at)
		}
		err := waitDone(t, a)
		const sec = time.Second
		checkGaps(t, wire.TypeData, sent, []time.Duration{1 * sec, 2 * sec, 4 * sec, 8 * sec, 16 * sec, 32 * sec, 60 * sec, 60 * sec, 60 * sec, 60 * sec})
		if got := time.Since(sent[len(sent)-1]); got != DefaultRTOMax {
			t.Errorf("gave up %v after the last retransmission, want %v", got, DefaultRTOMax)
		}
		if !errors.Is(err, ErrCommunicationLost) {
			t.Errorf("association ended with %v, want ErrCommunicationLost", err)
		}
		evs := waitEvents(t, a, EventSendFailed, EventCommLost)
		if e := evs[EventSendFailed]; !errors.Is(e.Err, ErrCommunicationLost) {
			t.Errorf("message failed with %v, want ErrCommunicationLost", e.Err)
		}
		if err := a.SendMsg(context.Background(), []byte("x"), SendInfo{}); !errors.Is(err, ErrCommunicationLost) {
			t.Errorf("SendMsg after the loss: %v, want ErrCommunicationLost", err)
		}
	})
}

// A peer that crashes and restarts while we retransmit to it: its new INIT
// from the same address restarts the association (section 5.2.4 case A);
// the lost message is reported, retransmissions of the old TSN stop, and
// new messages flow with the new tags.
func TestPeerCrashAndRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, old := r.connect()
		sendString(t, a, "lost in the crash")
		r.peer.expect(old.tag, wire.TypeData)
		r.peer.await(old.tag, wire.TypeData) // two retransmissions
		r.peer.await(old.tag, wire.TypeData)
		s := r.restart(old.tag+1, peerTSN+7)
		evs := waitEvents(t, a, EventRestart, EventSendFailed)
		if e := evs[EventSendFailed]; !errors.Is(e.Err, ErrPeerRestarted) {
			t.Errorf("message in flight failed with %v, want ErrPeerRestarted", e.Err)
		}
		r.peer.expectSilence(time.Hour) // no retransmission of the old TSN
		if err := a.SendMsg(context.Background(), []byte("hello again"), SendInfo{}); err != nil {
			t.Fatalf("SendMsg after the restart: %v", err)
		}
		d := chunkOf[wire.Data](t, r.peer.expect(s.tag, wire.TypeData))
		if d.TSN != s.epTSN {
			t.Errorf("first DATA after the restart has TSN %d, want the new initial TSN %d", d.TSN, s.epTSN)
		}
		r.peer.send(s.epTag, sack(d.TSN))
		r.peer.expectSilence(time.Hour)
		if st := a.Stats(); st.State != "ESTABLISHED" || st.Outstanding != 0 {
			t.Errorf("association %s with %d bytes outstanding, want ESTABLISHED and 0", st.State, st.Outstanding)
		}
	})
}

// Many concurrent associations on one listening endpoint, each carrying
// its own 64 KiB, verified by SHA-256.
func TestManyAssociations(t *testing.T) {
	const (
		clients = 200
		bytes   = 64 << 10
		msgSize = 1000
	)
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(3)
		t.Cleanup(n.Close)
		n.SetDefault(simnet.LinkProps{Delay: 5 * time.Millisecond})
		srv := simEndpoint(t, n.AddHost("server", addrA), Config{Port: sutPort}, true)

		// content is client i's stream of bytes.
		content := func(i int) []byte {
			b := make([]byte, bytes)
			rng := rand.New(rand.NewPCG(uint64(i), 64))
			for j := range b {
				b[j] = byte(rng.Uint32())
			}
			return b
		}
		addrOf := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}) }
		want := map[netip.Addr][32]byte{}
		var cli []*Endpoint
		for i := range clients {
			want[addrOf(i)] = sha256.Sum256(content(i))
			cli = append(cli, simEndpoint(t, n.AddHost(fmt.Sprint("client", i), addrOf(i)), Config{}, false))
		}

		type received struct {
			from netip.Addr
			sum  [32]byte
			n    int
			err  error
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
		defer cancel()
		got := make(chan received, clients)
		go func() {
			for range clients {
				a, err := srv.Accept(ctx)
				if err != nil {
					got <- received{err: fmt.Errorf("accept: %w", err)}
					continue
				}
				go func() {
					h := sha256.New()
					buf := make([]byte, 2*msgSize)
					total := 0
					for {
						k, _, err := a.RecvMsg(ctx, buf)
						if errors.Is(err, io.EOF) {
							break
						}
						if err != nil {
							got <- received{from: a.RemoteAddr().Addr(), err: err}
							return
						}
						h.Write(buf[:k])
						total += k
					}
					got <- received{from: a.RemoteAddr().Addr(), sum: [32]byte(h.Sum(nil)), n: total}
				}()
			}
		}()

		sendErrs := make(chan error, clients)
		for i, ep := range cli {
			go func() {
				time.Sleep(time.Duration(i) * time.Millisecond) // a realistic arrival rate
				a, err := ep.Dial(ctx, Remote{Addrs: []netip.Addr{addrA}, Port: sutPort, UDPPort: DefaultUDPPort})
				if err != nil {
					sendErrs <- fmt.Errorf("client %d: dial: %w", i, err)
					return
				}
				data := content(i)
				for off := 0; off < len(data); off += msgSize {
					if err := a.SendMsg(ctx, data[off:min(off+msgSize, len(data))], SendInfo{}); err != nil {
						sendErrs <- fmt.Errorf("client %d: send: %w", i, err)
						return
					}
				}
				sendErrs <- a.Shutdown(ctx)
			}()
		}
		for range clients {
			if err := <-sendErrs; err != nil {
				t.Error(err)
			}
		}
		for range clients {
			res := <-got
			switch {
			case res.err != nil:
				t.Errorf("receiving from %v: %v", res.from, res.err)
			case res.n != bytes || res.sum != want[res.from]:
				t.Errorf("from %v: %d bytes with a SHA-256 that differs from the %d bytes sent", res.from, res.n, bytes)
			default:
				delete(want, res.from)
			}
		}
		if len(want) != 0 {
			t.Errorf("%d clients' data never verified", len(want))
		}
	})
}
