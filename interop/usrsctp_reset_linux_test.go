package interop

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/mobisctp/mobisctp/internal/tshark"
	"github.com/mobisctp/mobisctp/stack"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestUsrsctpStreamReset: our Stream.Close asks usrsctp's echo_server to
// reset a stream (RFC 6525). echo_server does not turn stream resets on
// (SCTP_ENABLE_STREAM_RESET), so usrsctp denies the request: the stream
// must then carry on with its numbering, and the next message on it is
// echoed. tshark names the RE-CONFIG chunks and shows the answer.
func TestUsrsctpStreamReset(t *testing.T) {
	ns := newNetNS(t)
	srv := startUsrsctp(t, ns, program{name: "echo_server", args: []string{strconv.Itoa(peerUDPPort)}})
	srv.waitUDP(peerUDPPort)
	ep := newEndpoint(t, ns, ourConfig(0), false)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	a := dialServer(t, ctx, ns, ep, srv, 7)
	ev := watchEvents(a)

	s, err := a.Stream(3, ppid)
	if err != nil {
		t.Fatal(err)
	}
	echo := func(msg string) {
		t.Helper()
		if err := a.SendMsg(ctx, []byte(msg), stack.SendInfo{Stream: 3, PPID: ppid}); err != nil {
			t.Fatal(err)
		}
	}
	for _, msg := range []string{"one", "two"} {
		if _, err := s.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 100)
		if n, err := s.Read(buf); err != nil || string(buf[:n]) != msg {
			t.Fatalf("echo of %q: %q, %v", msg, buf[:n], err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	echo("after the reset") // held until usrsctp answered
	buf := make([]byte, 100)
	n, info, err := a.RecvMsg(ctx, buf)
	if err != nil || string(buf[:n]) != "after the reset" || info.Stream != 3 {
		t.Fatalf("echo after the reset: %q on stream %d, %v", buf[:n], info.Stream, err)
	}
	if st := a.Stats(); st.StreamResetsSent != 0 {
		t.Errorf("%d streams reset at usrsctp, want none", st.StreamResetsSent)
	}
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	checkCleanEnd(t, ev)
	capture := ep.finish(t)
	tr := checkCapture(t, capture, ourUDPPort, roles{weOpen: true, weSend: true, peerSends: true, weClose: true})
	for _, dir := range []direction{sent, received} {
		if tr.chunks[flow{dir, wire.TypeReconfig}] == 0 {
			t.Errorf("tshark found no RE-CONFIG chunk %v", dir)
		}
	}
	var results []string
	for _, f := range tshark.Decode(t, capture, []string{"-d", fmt.Sprintf("udp.port==%d,sctp", ourUDPPort)}, "sctp.parameter_reconfig_response_result") {
		results = append(results, f["sctp.parameter_reconfig_response_result"]...)
	}
	if want := strconv.Itoa(int(wire.ResultDenied)); len(results) != 1 || results[0] != want {
		t.Errorf("usrsctp's answers %v, want one %s (Denied)", results, want)
	}
}
