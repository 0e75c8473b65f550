package interop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"testing"

	"github.com/pion/sctp"

	"github.com/mobisctp/mobisctp/stack"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestPionStreamReset: stream resets (RFC 6525) both ways with pion/sctp,
// which closes data channels that way. Our Stream.Close ends pion's reads
// of the stream with io.EOF; the stream pion then opens comes out of our
// AcceptStream and, when pion closes it, ends in io.EOF too, while the
// association stays up. tshark names the RE-CONFIG chunks of both sides.
func TestPionStreamReset(t *testing.T) {
	pc, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(loopback, 0)))
	if err != nil {
		t.Fatal(err)
	}
	conn := &firstPeerConn{UDPConn: pc}
	t.Cleanup(func() { conn.Close() })
	ep := newEndpoint(t, nil, pionEndpointConfig(0), false)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()

	pionDone, pionEnded := make(chan error, 1), make(chan struct{})
	go func() {
		defer close(pionEnded)
		pionEchoStream(pionOptions[sctp.ServerOption](t, conn), pionDone)
	}()
	a, err := ep.Dial(ctx, stack.Remote{Addrs: []netip.Addr{loopback}, Port: pionPort, UDPPort: uint16(pc.LocalAddr().(*net.UDPAddr).Port)})
	if err != nil {
		t.Fatalf("dial pion: %v", err)
	}
	ev := watchEvents(a)
	s, err := a.Stream(1, ppid)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if _, err := fmt.Fprintf(s, "message %d", i); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	back, err := a.AcceptStream(ctx)
	if err != nil {
		t.Fatalf("AcceptStream: %v (pion: %v)", err, pending(pionDone))
	}
	got, err := io.ReadAll(back)
	if err != nil || string(got) != "3 messages" {
		t.Errorf("read %q, %v from pion's stream, want \"3 messages\" and io.EOF", got, err)
	}
	if err := <-pionDone; err != nil {
		t.Errorf("pion: %v", err)
	}
	if st := a.Stats(); st.StreamResetsSent != 1 || st.StreamResetsReceived != 1 {
		t.Errorf("streams reset: %d at pion, %d by pion; want 1 and 1", st.StreamResetsSent, st.StreamResetsReceived)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	<-pionEnded
	checkCleanEnd(t, ev)
	tr := checkCapture(t, ep.finish(t), int(ep.UDPPort()), roles{weOpen: true, weSend: true, weClose: true}) // our SHUTDOWN acknowledges pion's one message
	for _, dir := range []direction{sent, received} {
		if tr.chunks[flow{dir, wire.TypeReconfig}] == 0 {
			t.Errorf("tshark found no RE-CONFIG chunk %v", dir)
		}
	}
}

// pionEchoStream is pion's side of TestPionStreamReset: it reports on done
// how pionCountAndAnswer went, then waits until our shutdown ends the
// association.
func pionEchoStream(opts []sctp.ServerOption, done chan<- error) {
	pa, err := sctp.ServerWithOptions(opts...)
	if err != nil {
		done <- fmt.Errorf("handshake: %w", err)
		return
	}
	defer pa.Close()
	done <- pionCountAndAnswer(pa)
	for {
		if _, err := pa.AcceptStream(); err != nil {
			return
		}
	}
}

// pionCountAndAnswer reads the stream we open until our reset ends it,
// then opens stream 2, says how many messages came, and closes it.
func pionCountAndAnswer(pa *sctp.Association) error {
	in, err := pa.AcceptStream()
	if err != nil {
		return fmt.Errorf("AcceptStream: %w", err)
	}
	n := 0
	buf := make([]byte, 100)
	for {
		_, err := in.Read(buf)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read after %d messages: %w, want io.EOF", n, err)
		}
		n++
	}
	out, err := pa.OpenStream(2, sctp.PayloadProtocolIdentifier(ppid))
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(out, "%d messages", n); err != nil {
		return err
	}
	return out.Close()
}
