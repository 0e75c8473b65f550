package stack

import (
	"bytes"
	"context"
	"errors"
	"io"
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

// TestStreamCloseResets: Close resets the stream (RFC 6525), so the
// peer's io.Copy ends with everything written, while the association
// stays up; the stream starts again at sequence number 0 for both.
func TestStreamCloseResets(t *testing.T) {
	cli, srv := loopbackPair(t)
	in, err := srv.Stream(3, 0)
	require.NoError(t, err)
	out, err := cli.Stream(3, 0)
	require.NoError(t, err)
	want := bytes.Repeat([]byte("0123456789"), 50_000)
	got := make(chan []byte)
	go func() {
		var b bytes.Buffer
		io.Copy(&b, in)
		got <- b.Bytes()
	}()
	_, err = io.Copy(out, bytes.NewReader(want))
	require.NoError(t, err)
	require.NoError(t, out.Close())
	select {
	case b := <-got:
		assert.True(t, bytes.Equal(b, want), "received %d bytes, want %d", len(b), len(want))
	case <-time.After(10 * time.Second):
		t.Fatal("the peer's read did not end after Close")
	}
	assert.NoError(t, srv.Err())
	assert.Equal(t, uint64(1), srv.Stats().StreamResetsReceived)

	// The stream is used again: new messages arrive in order from SSN 0.
	again, err := cli.Stream(3, 0)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for _, m := range []string{"one", "two"} {
		_, err := again.Write([]byte(m))
		require.NoError(t, err)
		buf := make([]byte, 10)
		n, info, err := srv.RecvMsg(ctx, buf)
		require.NoError(t, err)
		assert.Equal(t, m, string(buf[:n]))
		assert.Equal(t, uint16(3), info.Stream)
	}
	// The new messages waited for the peer's answer.
	assert.Equal(t, uint64(1), cli.Stats().StreamResetsSent)
}

// TestAcceptStream: streams the peer writes on come out of AcceptStream,
// each with what was written on it and then io.EOF when the peer closes
// it.
func TestAcceptStream(t *testing.T) {
	cli, srv := loopbackPair(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	early, err := cli.Stream(5, 99)
	require.NoError(t, err)
	_, err = early.Write([]byte("early"))
	require.NoError(t, err)
	buf := make([]byte, 100)
	first, err := srv.AcceptStream(ctx)
	require.NoError(t, err)
	n, err := first.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, "early", string(buf[:n]))
	assert.Equal(t, uint16(5), first.id)
	assert.Equal(t, uint32(99), first.ppid, "answers carry the PPID the peer used")

	late, err := cli.Stream(7, 0)
	require.NoError(t, err)
	_, err = late.Write([]byte("late"))
	require.NoError(t, err)
	require.NoError(t, late.Close())
	second, err := srv.AcceptStream(ctx)
	require.NoError(t, err)
	got, err := io.ReadAll(second)
	require.NoError(t, err)
	assert.Equal(t, "late", string(got))
	assert.Equal(t, uint16(7), second.id)

	ctx2, cancel2 := context.WithTimeout(ctx, 10*time.Second)
	defer cancel2()
	require.NoError(t, cli.Shutdown(ctx2))
	_, err = srv.AcceptStream(ctx2)
	assert.ErrorIs(t, err, io.EOF, "after the peer's shutdown")
}
