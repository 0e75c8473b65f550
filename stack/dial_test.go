package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestHasAssociation: both ends of an association know they have one with
// the other's address and port, and not with another port or address,
// and forget it once it has ended.
func TestHasAssociation(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, ca, sa := simPair(t, 1, Config{}, Config{})
		srv := Remote{Addrs: []netip.Addr{addrB}, Port: 5000}
		cli := Remote{Addrs: []netip.Addr{addrA}, Port: ca.LocalAddr().Port()}
		assert.True(t, ca.ep.HasAssociation(srv), "the dialing end")
		assert.True(t, sa.ep.HasAssociation(cli), "the accepting end")
		assert.False(t, ca.ep.HasAssociation(Remote{Addrs: srv.Addrs, Port: 5001}), "another port")
		assert.False(t, ca.ep.HasAssociation(Remote{Addrs: []netip.Addr{addrA}, Port: 5000}), "another address")
		require.NoError(t, ca.Abort("test"))
		synctest.Wait()
		assert.False(t, ca.ep.HasAssociation(srv), "after the abort")
	})
}
