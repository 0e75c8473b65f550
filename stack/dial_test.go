package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/internal/simnet"
)

var loopback4 = netip.MustParseAddr("127.0.0.1")

// TestZeroConfigsConnect: a listener's zero UDP port and a Remote's zero
// UDP port are both 9899, so the zero values meet.
func TestZeroConfigsConnect(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	var srv, cli *Endpoint
	require.NoError(t, onOwnLoopback(t, func() (err error) {
		if srv, err = Listen(Config{Port: 5010}); err != nil {
			return err
		}
		t.Cleanup(func() { srv.Close() })
		if cli, err = NewEndpoint(Config{}); err != nil {
			return err
		}
		t.Cleanup(func() { cli.Close() })
		return nil
	}))
	assert.Equal(t, uint16(DefaultUDPPort), srv.UDPPort())
	assert.NotEqual(t, uint16(DefaultUDPPort), cli.UDPPort(), "a client's zero UDP port is ephemeral")

	a, err := cli.Dial(ctx, Remote{Addrs: []netip.Addr{loopback4}, Port: 5010})
	require.NoError(t, err)
	defer a.Close()
	b, err := srv.Accept(ctx)
	require.NoError(t, err)
	defer b.Close()
	assert.Equal(t, netip.AddrPortFrom(loopback4, 5010), a.RemoteAddr())
	assert.Equal(t, netip.AddrPortFrom(loopback4, cli.Port()), b.RemoteAddr())
	assert.Equal(t, netip.AddrPortFrom(loopback4, 5010), b.LocalAddr())
}

// TestDialAddrResolvesNames: "localhost:port" dials every address the name
// has; a bad string names what is wrong.
func TestDialAddrResolvesNames(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	srv, err := ListenAddr("127.0.0.1:5011", Config{EphemeralUDPPort: true})
	require.NoError(t, err)
	defer srv.Close()
	r, err := ResolveRemote(ctx, "localhost:5011")
	require.NoError(t, err)
	assert.Contains(t, r.Addrs, loopback4)
	assert.Equal(t, uint16(5011), r.Port)

	cli, err := NewEndpoint(Config{})
	require.NoError(t, err)
	defer cli.Close()
	r.Addrs = []netip.Addr{loopback4} // the server has no IPv6 address
	r.UDPPort = srv.UDPPort()
	a, err := cli.Dial(ctx, r)
	require.NoError(t, err)
	a.Close()

	for _, bad := range []string{"localhost", "localhost:99999", ":5011", "no-such-host.invalid:5011"} {
		_, err := cli.DialAddr(ctx, bad)
		assert.ErrorContains(t, err, "sctp: ", bad)
	}
	r, err = ResolveRemote(ctx, "127.0.0.1,[::1]:7")
	require.NoError(t, err)
	assert.Equal(t, []netip.Addr{loopback4, netip.IPv6Loopback()}, r.Addrs)
}

// TestDialClosedPortNamesPeer: a Dial that gets no INIT ACK says to whom,
// in which state and that no INIT ACK came, and matches its cause, not
// net.ErrClosed.
func TestDialClosedPortNamesPeer(t *testing.T) {
	cli, err := NewEndpoint(Config{RTOInitial: 20 * time.Millisecond, RTOMin: 20 * time.Millisecond, RTOMax: 40 * time.Millisecond, MaxInitRetrans: 2})
	require.NoError(t, err)
	defer cli.Close()
	remote := Remote{Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.9")}, Port: 5012, UDPPort: 9}

	_, err = cli.Dial(t.Context(), remote)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrHandshakeTimeout)
	assert.ErrorContains(t, err, "127.0.0.9:5012 (UDP 9)")
	assert.ErrorContains(t, err, "COOKIE-WAIT")
	assert.ErrorContains(t, err, "no INIT ACK after 3 INITs")
	var se *Error
	require.ErrorAs(t, err, &se)
	assert.Equal(t, "dial", se.Op)

	slow, err := NewEndpoint(Config{})
	require.NoError(t, err)
	defer slow.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = slow.Dial(ctx, remote)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "no INIT ACK after 1 INIT")
	assert.NotContains(t, err.Error(), "closed network connection")
}

// TestEndErrorsMatchSentinels: the errors that end an association match
// net.ErrClosed without its text, and name the peer.
func TestEndErrorsMatchSentinels(t *testing.T) {
	for _, err := range []error{ErrClosed, ErrShutdown, ErrCommunicationLost, ErrHandshakeTimeout, ErrShutdownTimeout, ErrBacklogFull, &AbortError{}} {
		assert.ErrorIs(t, err, net.ErrClosed)
		assert.NotContains(t, err.Error(), "closed network connection")
	}
	wrapped := &Error{Op: "association", Peer: []netip.AddrPort{netip.MustParseAddrPort("[2001:db8::1]:9899")}, Port: 80, State: "ESTABLISHED",
		Err: &AbortError{Remote: true}}
	assert.ErrorIs(t, wrapped, net.ErrClosed)
	var ae *AbortError
	assert.True(t, errors.As(wrapped, &ae) && ae.Remote)
	assert.Equal(t, "sctp: association [2001:db8::1]:80 (UDP 9899) in state ESTABLISHED: association aborted by peer", wrapped.Error())
}

// TestAssociationLookup: both ends of an association find it by the
// other's address and port, and not by another port or address, and
// forget it once it has ended.
func TestAssociationLookup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ca, sa := simPair(t, 1, Config{}, Config{})
		srv := Remote{Addrs: []netip.Addr{addrB}, Port: 5000}
		cli := Remote{Addrs: []netip.Addr{addrA}, Port: ca.LocalAddr().Port()}
		assert.Same(t, ca, ca.ep.Association(srv), "the dialing end")
		assert.Same(t, sa, sa.ep.Association(cli), "the accepting end")
		assert.Nil(t, ca.ep.Association(Remote{Addrs: srv.Addrs, Port: 5001}), "another port")
		assert.Nil(t, ca.ep.Association(Remote{Addrs: []netip.Addr{addrA}, Port: 5000}), "another address")
		require.NoError(t, ca.Abort("test"))
		assert.Nil(t, ca.ep.Association(srv), "after the abort")
	})
}

// TestDialRefusesAssociatedPeer: Dial to any address of a peer the
// endpoint has an association with, at either end, fails at once with an
// *AssociatedError that names the peer and carries the association, and
// sends nothing: the association goes on, not restarted, with its tags.
func TestDialRefusesAssociatedPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ca, sa := multiPair(t, Config{}, Config{})
		other := netip.MustParseAddr("203.0.113.9")
		cliPort := ca.LocalAddr().Port()
		for _, tc := range []struct {
			ep   *Endpoint
			to   Remote
			want *Association
		}{
			{ca.ep, Remote{Addrs: []netip.Addr{srv1}, Port: 5000}, ca},
			{ca.ep, Remote{Addrs: []netip.Addr{srv2}, Port: 5000}, ca},        // the peer's other address
			{ca.ep, Remote{Addrs: []netip.Addr{other, srv2}, Port: 5000}, ca}, // any address of the list
			{sa.ep, Remote{Addrs: []netip.Addr{cli1}, Port: cliPort}, sa},     // the accepting end
		} {
			_, err := tc.ep.Dial(t.Context(), tc.to)
			require.ErrorIs(t, err, ErrAssociated, "%v", tc.to)
			var ae *AssociatedError
			require.ErrorAs(t, err, &ae)
			assert.Same(t, tc.want, ae.Association)
			assert.Equal(t, "ESTABLISHED", ae.State)
			assert.ErrorContains(t, err, "sctp: dial "+tc.to.Addrs[0].String())
			assert.ErrorContains(t, err, "already associated with this peer")
			assert.ErrorContains(t, err, tc.want.RemoteAddr().String())
		}
		time.Sleep(time.Second)
		for _, a := range []*Association{ca, sa} {
			for drained := false; !drained; {
				select {
				case ev := <-a.Events():
					assert.NotEqual(t, EventRestart, ev.Type)
				default:
					drained = true
				}
			}
		}
		exchange(t, ca, sa)
	})
}

// TestDialRecognisesPeerByInitAck: a Dial to an address of the peer that
// the association with it does not know (here beyond MaxPeerAddrs) goes
// out, and the INIT ACK, which lists the address the association has,
// ends it there: it fails with the same *AssociatedError, and no COOKIE
// ECHO restarts the association at the peer.
func TestDialRecognisesPeerByInitAck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(5)
		defer n.Close()
		srv := simEndpoint(t, n.AddHost("server", srv1, srv2), Config{Port: 5000}, true)
		cli := simEndpoint(t, n.AddHost("client", cli1), Config{MaxPeerAddrs: 1}, false)
		ca, sa := connect(t, cli, srv, srv1)
		require.Nil(t, cli.Association(Remote{Addrs: []netip.Addr{srv2}, Port: 5000}), "the association knows srv2")

		_, err := cli.Dial(t.Context(), Remote{Addrs: []netip.Addr{srv2}, Port: 5000})
		var ae *AssociatedError
		require.ErrorAs(t, err, &ae)
		assert.ErrorIs(t, err, ErrAssociated)
		assert.Same(t, ca, ae.Association)
		assert.ErrorContains(t, err, "sctp: dial 198.51.100.2:5000")
		time.Sleep(time.Second)
		for drained := false; !drained; {
			select {
			case ev := <-sa.Events():
				assert.NotEqual(t, EventRestart, ev.Type)
			default:
				drained = true
			}
		}
		exchange(t, ca, sa)
	})
}

// exchange sends a message each way between a and b and checks that it
// arrives.
func exchange(t *testing.T, a, b *Association) {
	t.Helper()
	buf := make([]byte, 16)
	for _, pair := range [][2]*Association{{a, b}, {b, a}} {
		require.NoError(t, pair[0].SendMsg(t.Context(), []byte("still here"), SendInfo{}))
		n, _, err := pair[1].RecvMsg(t.Context(), buf)
		require.NoError(t, err)
		assert.Equal(t, "still here", string(buf[:n]))
	}
}

// TestDialRaceOneWins: of two Dials to one peer at the same time, one
// sets up the association and the other fails with an *AssociatedError
// that carries it; the peer accepts one association.
func TestDialRaceOneWins(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(3)
		defer n.Close()
		srv := simEndpoint(t, n.AddHost("server", addrB), Config{Port: 5000}, true)
		cli := simEndpoint(t, n.AddHost("client", addrA), Config{}, false)
		to := Remote{Addrs: []netip.Addr{addrB}, Port: 5000}
		type result struct {
			a   *Association
			err error
		}
		results := make(chan result, 2)
		for range 2 {
			go func() {
				a, err := cli.Dial(t.Context(), to)
				results <- result{a, err}
			}()
		}
		r1, r2 := <-results, <-results
		if r1.err != nil {
			r1, r2 = r2, r1
		}
		require.NoError(t, r1.err)
		var ae *AssociatedError
		require.ErrorAs(t, r2.err, &ae)
		assert.Same(t, r1.a, ae.Association)
		sa, err := srv.Accept(t.Context())
		require.NoError(t, err)
		exchange(t, r1.a, sa)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		_, err = srv.Accept(ctx)
		assert.ErrorIs(t, err, context.DeadlineExceeded, "a second association")
	})
}

// TestDialAgainOnceEnded: the association is gone from the endpoint by
// the time anyone can learn that it ended (here: the OnRecv hook that
// wakes readers at the end), so a Dial to the same peer right then goes
// ahead.
func TestDialAgainOnceEnded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ca, sa := simPair(t, 1, Config{}, Config{})
		to := Remote{Addrs: []netip.Addr{addrB}, Port: 5000}
		var mu sync.Mutex
		var seen []*Association // what the endpoint has with the peer at each wake-up
		ca.OnRecv(func() {
			mu.Lock()
			defer mu.Unlock()
			seen = append(seen, ca.ep.Association(to))
		})
		sa.Abort("test")
		<-ca.Done()
		synctest.Wait() // the hook runs after the round that ended ca
		mu.Lock()
		defer mu.Unlock()
		require.NotEmpty(t, seen)
		assert.Nil(t, seen[len(seen)-1], "still registered when readers woke up")
		a, err := ca.ep.Dial(t.Context(), to)
		require.NoError(t, err)
		assert.NotSame(t, ca, a)
		a.Abort("test")
	})
}
