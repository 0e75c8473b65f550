package stack

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loopbackPair returns two associations connected on loopback, client
// first, each closed when the test ends.
func loopbackPair(t *testing.T) (cli, srv *Association) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	sep, err := Listen(Config{Port: 5020, EphemeralUDPPort: true})
	require.NoError(t, err)
	t.Cleanup(func() { sep.Close() })
	cep, err := NewEndpoint(Config{})
	require.NoError(t, err)
	t.Cleanup(func() { cep.Close() })
	cli, err = cep.Dial(ctx, Remote{Addrs: []netip.Addr{loopback4}, Port: 5020, UDPPort: sep.UDPPort()})
	require.NoError(t, err)
	srv, err = sep.Accept(ctx)
	require.NoError(t, err)
	return cli, srv
}

// TestStreamClosed: after Close, Write and Read fail with net.ErrClosed
// and nothing reaches the peer.
func TestStreamClosed(t *testing.T) {
	cli, srv := loopbackPair(t)
	s, err := cli.Stream(1, 0)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	_, err = s.Write([]byte("after close"))
	assert.ErrorIs(t, err, net.ErrClosed)
	_, err = s.Read(make([]byte, 10))
	assert.ErrorIs(t, err, net.ErrClosed)

	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, _, err = srv.RecvMsg(ctx, make([]byte, 100))
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "the peer received something: %v", err)
}

// TestAddrsAgree: association and stream addresses are the address and
// the SCTP port on both sides, and each side's local is the other's
// remote.
func TestAddrsAgree(t *testing.T) {
	cli, srv := loopbackPair(t)
	assert.Equal(t, cli.LocalAddr(), srv.RemoteAddr())
	assert.Equal(t, srv.LocalAddr(), cli.RemoteAddr())
	assert.Equal(t, uint16(5020), cli.RemoteAddr().Port())
	s, err := cli.Stream(0, 0)
	require.NoError(t, err)
	defer s.Close()
	assert.Equal(t, cli.LocalAddr().String(), s.LocalAddr().String())
	assert.Equal(t, cli.RemoteAddr().String(), s.RemoteAddr().String())
	assert.Equal(t, "sctp", s.RemoteAddr().Network())
}
