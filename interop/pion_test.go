package interop

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/pion/sctp"

	"github.com/mobisctp/mobisctp/stack"
)

// pion/sctp always uses SCTP port 5000, on both sides.
const pionPort = 5000

// pionSocketBuffer is the UDP socket buffer size given to pion's sockets;
// with the OS default the kernel drops datagrams at full speed.
const pionSocketBuffer = 4 << 20

// pionMaxMsg bounds the messages exchanged with pion (its default maximum
// message size is 64 KiB); most are fragmented.
const pionMaxMsg = 16 << 10

// pionEndpointConfig is our endpoint's configuration against pion.
func pionEndpointConfig(port uint16) stack.Config {
	return stack.Config{Port: port, LocalAddrs: []netip.Addr{loopback}}
}

// pionOptions are the options of a pion association over conn, logging
// warnings and errors into the test's log shown on failure, as
// ClientOption or ServerOption.
func pionOptions[O any](t *testing.T, conn net.Conn) []O {
	shared := []sctp.AssociationOption{
		sctp.WithNetConn(conn),
		sctp.WithName("pion"),
		sctp.WithBlockWrite(true),
		sctp.WithLoggerFactory(failureLog(t, "pion/sctp")),
	}
	opts := make([]O, len(shared))
	for i, o := range shared {
		opts[i] = any(o).(O) // O is ClientOption or ServerOption
	}
	return opts
}

// udpBuffers sets the socket buffers of c for pion's speed.
func udpBuffers(t *testing.T, c *net.UDPConn) {
	t.Helper()
	if err := c.SetReadBuffer(pionSocketBuffer); err != nil {
		t.Fatal(err)
	}
	if err := c.SetWriteBuffer(pionSocketBuffer); err != nil {
		t.Fatal(err)
	}
}

// TestPionClient: a pion/sctp client sends 10 MiB to our server and shuts
// the association down.
func TestPionClient(t *testing.T) {
	ep := newEndpoint(t, nil, pionEndpointConfig(pionPort), true)
	conn, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(ep.LocalAddrs()[0], ep.UDPPort())))
	if err != nil {
		t.Fatal(err)
	}
	udpBuffers(t, conn)
	t.Cleanup(func() { conn.Close() })

	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	w := newWorkload(transferBytes, pionMaxMsg, 4)
	start := time.Now()
	// pion sets up the association, sends everything and shuts down,
	// while the test reads on our side.
	pionDone := make(chan error, 1)
	opts := pionOptions[sctp.ClientOption](t, conn)
	go func() { pionDone <- pionSend(ctx, opts, w) }()
	a, err := ep.Accept(ctx)
	if err != nil {
		t.Fatalf("accepting pion's association: %v (pion: %v)", err, pending(pionDone))
	}
	ev := watchEvents(a)
	got, err := receive(ctx, a, untilEOF, w.expect(ppid))
	if err != nil {
		t.Fatal(err)
	}
	logRate(t, "pion client to our server", got.bytes, got.last.Sub(start))
	if got.sum != w.sum {
		t.Errorf("received %d messages, %d bytes, SHA-256 %x; sent %d, %d, %x", got.msgs, got.bytes, got.sum, len(w.sizes), len(w.data), w.sum)
	}
	if err := result(t, pionDone, "end of pion's shutdown"); err != nil {
		t.Errorf("pion: %v", err)
	}
	logStats(t, a)
	checkCleanEnd(t, ev)
	checkCapture(t, ep.finish(t), int(ep.UDPPort()), roles{peerSends: true})
}

// pionSend runs pion's side of TestPionClient.
func pionSend(ctx context.Context, opts []sctp.ClientOption, w *workload) error {
	pa, err := sctp.ClientContext(ctx, opts...)
	if err != nil {
		return fmt.Errorf("handshake: %w", err)
	}
	defer pa.Close()
	s, err := pa.OpenStream(0, sctp.PayloadProtocolIdentifier(ppid))
	if err != nil {
		return err
	}
	err = w.each(func(i int, msg []byte) error {
		if _, err := s.WriteSCTP(msg, sctp.PayloadProtocolIdentifier(ppid)); err != nil {
			return fmt.Errorf("WriteSCTP of message %d: %w", i, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := pa.Shutdown(ctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// TestPionServer: our client sends 10 MiB to a pion/sctp server and shuts
// the association down.
func TestPionServer(t *testing.T) {
	pc, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	udpBuffers(t, pc)
	conn := &firstPeerConn{UDPConn: pc}
	t.Cleanup(func() { conn.Close() })
	ep := newEndpoint(t, nil, pionEndpointConfig(0), false)

	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	w := newWorkload(transferBytes, pionMaxMsg, 5)
	pionDone := make(chan pionReceipt, 1)
	opts := pionOptions[sctp.ServerOption](t, conn)
	go func() { pionDone <- pionReceive(opts) }()
	start := time.Now()
	a, err := ep.Dial(ctx, stack.Remote{Addrs: []netip.Addr{loopback}, Port: pionPort, UDPPort: uint16(pc.LocalAddr().(*net.UDPAddr).Port)})
	if err != nil {
		t.Fatalf("dial pion: %v (pion: %v)", err, pending(pionDone))
	}
	ev := watchEvents(a)
	if err := sendAll(ctx, a, w); err != nil {
		t.Fatal(err)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	logRate(t, "our client to pion server, until SHUTDOWN complete", transferBytes, time.Since(start))
	logStats(t, a)
	checkCleanEnd(t, ev)
	got := result(t, pionDone, "end of pion's reading")
	if got.err != nil {
		t.Errorf("pion: %v", got.err)
	}
	if got.msgs != len(w.sizes) || got.sum != w.sum {
		t.Errorf("pion received %d messages, %d bytes, SHA-256 %x; sent %d, %d, %x", got.msgs, got.bytes, got.sum, len(w.sizes), len(w.data), w.sum)
	}
	checkCapture(t, ep.finish(t), int(ep.UDPPort()), roles{weOpen: true, weSend: true, weClose: true})
	conn.mu.Lock()
	defer conn.mu.Unlock()
	t.Logf("removed Supported Address Types from %d INIT before pion read it", conn.rewritten)
}

// pionReceipt is what pion's server read.
type pionReceipt struct {
	msgs, bytes int
	sum         [sha256.Size]byte
	err         error
}

// pionReceive runs pion's side of TestPionServer: accept the association
// and its stream, and read until the association ends.
func pionReceive(opts []sctp.ServerOption) (r pionReceipt) {
	pa, err := sctp.ServerWithOptions(opts...)
	if err != nil {
		r.err = fmt.Errorf("handshake: %w", err)
		return r
	}
	defer pa.Close()
	s, err := pa.AcceptStream()
	if err != nil {
		r.err = fmt.Errorf("AcceptStream: %w", err)
		return r
	}
	h := sha256.New()
	buf := make([]byte, pionMaxMsg)
	for {
		n, pp, err := s.ReadSCTP(buf)
		if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
			break // pion ends the stream with the error of its closed conn
		}
		if err != nil {
			r.err = fmt.Errorf("ReadSCTP after %d messages: %w", r.msgs, err)
			return r
		}
		if pp != sctp.PayloadProtocolIdentifier(ppid) {
			r.err = fmt.Errorf("message %d: PPID %#x, sent %#x", r.msgs, uint32(pp), ppid)
			return r
		}
		h.Write(buf[:n])
		r.msgs++
		r.bytes += n
	}
	copy(r.sum[:], h.Sum(nil))
	return r
}

// firstPeerConn is a net.Conn over an unconnected UDP socket, as pion's
// server needs: its peer is the source of the first datagram it reads;
// datagrams from elsewhere are ignored.
//
// It also works around a limitation of pion/sctp v1.12: pion refuses an
// INIT carrying a parameter it does not know whose type says "stop
// processing" (RFC 9260 section 3.2.1), and it does not know Supported
// Address Types (type 12, RFC 9260 section 3.3.2.1), which our INIT always
// carries. So it removes that parameter from the INIT it passes to pion.
type firstPeerConn struct {
	*net.UDPConn
	mu        sync.Mutex
	peer      netip.AddrPort
	rewritten int // INIT chunks rewritten
}

func (c *firstPeerConn) Read(b []byte) (int, error) {
	for {
		n, from, err := c.ReadFromUDPAddrPort(b)
		if err != nil {
			return n, err
		}
		c.mu.Lock()
		if !c.peer.IsValid() {
			c.peer = from
		}
		ours := from == c.peer
		if ours {
			var cut bool
			if n, cut = withoutInitParam(b[:n], paramSupportedAddrTypes); cut {
				c.rewritten++
			}
		}
		c.mu.Unlock()
		if ours {
			return n, nil
		}
	}
}

// Wire-format constants for withoutInitParam (RFC 9260 section 3).
const (
	commonHeaderLen         = 12
	chunkInit               = 1
	initFixedLen            = 20 // chunk header and fixed INIT fields
	paramSupportedAddrTypes = 12
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// withoutInitParam removes the parameters of type ptype from an SCTP
// packet holding an INIT chunk (which travels alone, RFC 9260 section
// 6.10), in place, and recomputes the CRC32c. It returns the new length
// and whether it removed anything; other packets are left alone.
func withoutInitParam(pkt []byte, ptype uint16) (int, bool) {
	if len(pkt) < commonHeaderLen+initFixedLen || pkt[commonHeaderLen] != chunkInit {
		return len(pkt), false
	}
	chunk := pkt[commonHeaderLen:]
	chunkLen := int(binary.BigEndian.Uint16(chunk[2:]))
	if chunkLen < initFixedLen || chunkLen > len(chunk) {
		return len(pkt), false // malformed: let pion judge it
	}
	var kept [][]byte // parameters without their padding
	cut := false
	for rest := chunk[initFixedLen:chunkLen]; len(rest) >= 4; {
		plen := int(binary.BigEndian.Uint16(rest[2:]))
		if plen < 4 || plen > len(rest) {
			return len(pkt), false
		}
		if binary.BigEndian.Uint16(rest) == ptype {
			cut = true
		} else {
			kept = append(kept, rest[:plen])
		}
		rest = rest[min(len(rest), (plen+3)&^3):]
	}
	if !cut {
		return len(pkt), false
	}
	var params []byte
	for i, p := range kept {
		params = append(params, p...)
		if i < len(kept)-1 { // the chunk length counts the padding of all parameters but the last
			params = append(params, make([]byte, -len(p)&3)...)
		}
	}
	n := commonHeaderLen + initFixedLen + copy(chunk[initFixedLen:], params)
	binary.BigEndian.PutUint16(chunk[2:], uint16(n-commonHeaderLen))
	for n%4 != 0 {
		pkt[n] = 0
		n++
	}
	binary.LittleEndian.PutUint32(pkt[8:], 0)
	binary.LittleEndian.PutUint32(pkt[8:], crc32.Checksum(pkt[:n], castagnoli))
	return n, true
}

func (c *firstPeerConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	peer := c.peer
	c.mu.Unlock()
	if !peer.IsValid() {
		return 0, errors.New("firstPeerConn: no datagram received yet, so no peer to write to")
	}
	return c.WriteToUDPAddrPort(b, peer)
}

func (c *firstPeerConn) RemoteAddr() net.Addr {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.peer.IsValid() {
		return nil
	}
	return net.UDPAddrFromAddrPort(c.peer)
}

// result returns the value from ch, failing the test if none comes within
// endTimeout.
func result[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(endTimeout):
	}
	t.Fatalf("no %s within %v", what, endTimeout)
	var zero T
	return zero
}

// pending returns the value from ch if one is there, for an error message.
func pending[T any](ch <-chan T) any {
	select {
	case v := <-ch:
		return v
	default:
		return "still running"
	}
}
