package pcapng_test

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	public "github.com/mobisctp/mobisctp/pcapng"
	"github.com/mobisctp/mobisctp/stack"
)

// TestTapRecordsHandshake: a Writer of the public package, set as an
// endpoint's Tap, records the packets of an association (the INIT and the
// rest of the handshake at least).
func TestTapRecordsHandshake(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tap.pcapng")
	tap, err := public.Create(path)
	require.NoError(t, err)
	var _ stack.Tap = tap
	srv, err := stack.Listen(stack.Config{Port: 5030, EphemeralUDPPort: true, Tap: tap})
	require.NoError(t, err)
	cli, err := stack.NewEndpoint(stack.Config{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	a, err := cli.Dial(ctx, stack.Remote{Addrs: []netip.Addr{netip.MustParseAddr("127.0.0.1")}, Port: 5030, UDPPort: srv.UDPPort()})
	require.NoError(t, err)
	require.NoError(t, a.Shutdown(ctx))
	require.NoError(t, cli.Close())
	require.NoError(t, srv.Close())
	require.NoError(t, tap.Close())

	n := 0
	require.NoError(t, pcapng.ReadUDP(path, func(pcapng.UDP) bool { n++; return true }))
	require.GreaterOrEqual(t, n, 4, "INIT, INIT ACK, COOKIE ECHO, COOKIE ACK")
}
