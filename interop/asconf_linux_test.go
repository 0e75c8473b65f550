//go:build linux

package interop

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/mobisctp/mobisctp/stack"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// The ASCONF cases use a small usrsctp program of our own, the driver
// (testdata/asconf_driver.c), since none of the example programs changes
// its addresses. Each association starts on 127.0.0.1 on both sides; one
// side then adds newAddr with an ASCONF and asks the other to send there
// (Set Primary Address), with data before and after.
var newAddr = netip.MustParseAddr("127.0.0.2")

// usrsctpHMAC is the only HMAC algorithm usrsctp implements (it refuses
// HMAC-SHA-256 in SCTP_HMAC_IDENT), so the one both sides sign with.
const usrsctpHMAC = wire.HMACSHA1

// phaseMessages is how many messages the driver's side sends in each of
// its two phases: before and after the new address.
const phaseMessages = 200

// buildDriver compiles the driver against libusrsctp and returns the
// program.
// startDriverServer starts the driver as a server bound to 127.0.0.1 in
// ns on SCTP port port and waits until it says it listens: from then on
// it accepts an association, with no ABORT to probe for.
func startDriverServer(t *testing.T, ns *netNS, driver string, port int) *proc {
	t.Helper()
	srv := startUsrsctp(t, ns, program{name: "asconf_driver", path: driver, args: []string{
		"server", strconv.Itoa(peerUDPPort), strconv.Itoa(ourUDPPort), loopback.String(), strconv.Itoa(port)}})
	if err := srv.await(func(l string) bool { return l == "listening" }); err != nil {
		t.Fatalf("waiting for the driver to listen: %v", err)
	}
	return srv
}

// dialDriver associates ep with the driver server on SCTP port port.
func dialDriver(t *testing.T, ctx context.Context, ep *endpoint, port int) *stack.Association {
	t.Helper()
	a, err := ep.Dial(ctx, stack.Remote{Addrs: []netip.Addr{loopback}, Port: uint16(port), UDPPort: peerUDPPort})
	if err != nil {
		t.Fatalf("dial the driver: %v", err)
	}
	return a
}

// endDriverCase shuts a down cleanly, waits for the driver to exit and
// checks that it printed each of want.
func endDriverCase(t *testing.T, ctx context.Context, a *stack.Association, ev *events, srv *proc, want ...string) {
	t.Helper()
	if err := a.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	logStats(t, a)
	checkCleanEnd(t, ev)
	srv.wait()
	for _, w := range want {
		if !srv.outputHas(w) {
			t.Errorf("the driver did not print %q", w)
		}
	}
}

func buildDriver(t *testing.T) string {
	t.Helper()
	gcc := testenv.Tool(t, "gcc")
	testenv.File(t, "/usr/include/usrsctp.h", "usrsctp headers (package libusrsctp-dev)")
	src, err := filepath.Abs(filepath.Join("testdata", "asconf_driver.c"))
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "asconf_driver")
	cmd := exec.Command(gcc, "-std=c11", "-D_DEFAULT_SOURCE", "-Wall", "-Wextra", "-Werror", "-O2",
		"-o", bin, src, "-lusrsctp")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the driver: %v\n%s", err, out)
	}
	return bin
}

// driverMessage returns message i (from 0) of a phase (1 or 2), which
// travels on the phase's stream with our PPID. message_len and
// message_byte in the driver define the same messages.
func driverMessage(phase, i int) []byte {
	msg := make([]byte, 1+(i*397+phase*101)%3000)
	for j := range msg {
		msg[j] = byte(phase*64 + i*7 + j)
	}
	return msg
}

// sendPhase sends the messages of a phase, as the driver does.
func sendPhase(ctx context.Context, a *stack.Association, phase int) error {
	for i := range phaseMessages {
		if err := a.SendMsg(ctx, driverMessage(phase, i), stack.SendInfo{Stream: uint16(phase), PPID: ppid}); err != nil {
			return fmt.Errorf("phase %d, message %d: %w", phase, i, err)
		}
	}
	return nil
}

// expectPhases checks messages read from the driver, counting them by
// phase: each must be the next one of its phase.
func expectPhases(counts *[2]int) msgCheck {
	return func(_ int, msg []byte, info stack.RecvInfo) error {
		phase := int(info.Stream)
		if (phase != 1 && phase != 2) || info.PPID != ppid {
			return fmt.Errorf("stream %d PPID %#x; the driver sends on stream 1 or 2 with PPID %#x", info.Stream, info.PPID, ppid)
		}
		i := counts[phase-1]
		if want := driverMessage(phase, i); !slices.Equal(msg, want) {
			return fmt.Errorf("%d bytes, not message %d of phase %d (%d bytes)", len(msg), i, phase, len(want))
		}
		counts[phase-1]++
		return nil
	}
}

// TestUsrsctpSendsASCONF: the driver, a usrsctp client bound to 127.0.0.1
// only, sends data to our server, adds 127.0.0.2 to the association
// (usrsctp sends an ASCONF with Add IP Address), asks us to send there
// (Set Primary Address), sends more data and shuts down. Our side must
// add the path, confirm it by heartbeat and make it primary, receive all
// the data intact, and authenticate every ASCONF.
func TestUsrsctpSendsASCONF(t *testing.T) {
	ns := newNetNS(t)
	ns.addAddr(t, newAddr.String()+"/8")
	driver := buildDriver(t)
	const port = 5001
	ep := newEndpoint(t, ns, ourConfig(port), true)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()

	// The driver waits on its standard input twice: for a line once we
	// have acknowledged the new address, for the end before it shuts down.
	stdin, control, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { control.Close() })
	cli := startUsrsctp(t, ns, program{name: "asconf_driver", path: driver, stdin: stdin, args: []string{
		"client", strconv.Itoa(peerUDPPort), strconv.Itoa(ourUDPPort), loopback.String(), strconv.Itoa(port),
		loopback.String(), newAddr.String(), strconv.Itoa(phaseMessages)}})
	stdin.Close() // the driver has it now
	a := acceptOne(t, ctx, ep, cli)
	ev := watchEvents(a)

	var counts [2]int
	readErr := make(chan error, 1)
	go func() {
		_, err := receive(ctx, a, untilEOF, expectPhases(&counts))
		readErr <- err
	}()

	// The new path leads to 127.0.0.2 on the UDP port of the ASCONF.
	added := netip.AddrPortFrom(newAddr, peerUDPPort)
	isAdded := func(e stack.Event) bool { return e.Addr == added }
	ev.await(t, stack.EventPathAdded, isAdded)
	if _, err := control.Write([]byte("\n")); err != nil {
		t.Fatalf("telling the driver that its address was added: %v (driver %s)", err, cli.state())
	}
	ev.await(t, stack.EventPathConfirmed, isAdded)
	ev.await(t, stack.EventPrimaryChanged, isAdded)
	control.Close() // the driver shuts down once it has sent everything
	if err := <-readErr; err != nil {
		t.Fatal(err)
	}
	if counts != [2]int{phaseMessages, phaseMessages} {
		t.Errorf("received %d messages before the new address and %d after, want %d each", counts[0], counts[1], phaseMessages)
	}
	logStats(t, a)
	checkCleanEnd(t, ev)
	cli.wait()
	// The driver asks for Set Primary Address once usrsctp has processed
	// our ASCONF-ACK.
	if want := "added " + newAddr.String(); !cli.outputHas(want) {
		t.Errorf("the driver did not print %q", want)
	}

	s := a.Stats()
	if s.AuthFailures != 0 || s.Unauthenticated != 0 {
		t.Errorf("%d AUTH chunks failed to verify, %d chunks lacked AUTH", s.AuthFailures, s.Unauthenticated)
	}
	if s.AsconfsReceived < 2 {
		t.Errorf("%d ASCONFs received, want at least 2 (Add IP Address, Set Primary Address)", s.AsconfsReceived)
	}
	i := slices.IndexFunc(s.Paths, func(p stack.PathInfo) bool { return p.Remote == added })
	if i < 0 || !s.Paths[i].Preferred {
		t.Errorf("%v is not our preferred destination at the end: paths %+v", added, s.Paths)
	}

	file := ep.finish(t)
	tr := checkCapture(t, file, ourUDPPort, roles{peerSends: true})
	authed := checkASCONFAuth(t, file, ourUDPPort, usrsctpHMAC)
	checkASCONFFlows(t, tr, authed, received)
}

// TestUsrsctpReceivesASCONF: our client sends data to the driver, a
// usrsctp server bound to 127.0.0.1 only, adds 127.0.0.2 with an ASCONF,
// asks usrsctp to send there (Set Primary Address), sends more data and
// shuts down. usrsctp must acknowledge both requests, confirm the new
// address and make it primary, and receive all the data intact.
func TestUsrsctpReceivesASCONF(t *testing.T) {
	ns := newNetNS(t)
	driver := buildDriver(t)
	const port = 5001
	srv := startDriverServer(t, ns, driver, port)
	ep := newEndpoint(t, ns, ourConfig(0), false)
	ctx, cancel := context.WithTimeout(context.Background(), caseTimeout)
	defer cancel()
	a := dialDriver(t, ctx, ep, port)
	ev := watchEvents(a)

	if err := sendPhase(ctx, a, 1); err != nil {
		t.Fatal(err)
	}
	asconf := func(request string) {
		t.Helper()
		e := ev.await(t, stack.EventASCONF, func(e stack.Event) bool { return e.Request == request })
		if e.Err != nil {
			t.Fatalf("usrsctp refused %s: %v", request, e.Err)
		}
	}
	// AddLocalAddr opens a UDP socket on the address: like every socket
	// of our endpoint, it must be made inside the namespace.
	if err := ns.run(func() error { return a.AddLocalAddr(newAddr) }); err != nil {
		t.Fatalf("AddLocalAddr(%v): %v", newAddr, err)
	}
	asconf("Add IP Address " + newAddr.String())
	if err := a.SetPeerPrimary(newAddr); err != nil {
		t.Fatalf("SetPeerPrimary(%v): %v", newAddr, err)
	}
	asconf("Set Primary Address " + newAddr.String())
	// usrsctp sends to the address once a heartbeat, which our endpoint
	// answers from it, confirmed it.
	confirmed := "peer address " + newAddr.String() + ": SCTP_ADDR_CONFIRMED"
	if err := srv.await(func(l string) bool { return l == confirmed }); err != nil {
		t.Fatalf("waiting for the driver to report %q: %v", confirmed, err)
	}
	if err := sendPhase(ctx, a, 2); err != nil {
		t.Fatal(err)
	}
	endDriverCase(t, ctx, a, ev, srv,
		"peer address "+newAddr.String()+": SCTP_ADDR_ADDED",
		"peer address "+newAddr.String()+": SCTP_ADDR_MADE_PRIM",
		fmt.Sprintf("phase 1 received: %d messages, %d bytes", phaseMessages, phaseBytes(1)),
		fmt.Sprintf("phase 2 received: %d messages, %d bytes", phaseMessages, phaseBytes(2)),
	)

	s := a.Stats()
	if s.AuthFailures != 0 || s.Unauthenticated != 0 {
		t.Errorf("%d AUTH chunks failed to verify, %d chunks lacked AUTH", s.AuthFailures, s.Unauthenticated)
	}
	if s.AsconfsSent < 2 {
		t.Errorf("%d ASCONFs sent, want at least 2 (Add IP Address, Set Primary Address)", s.AsconfsSent)
	}

	file := ep.finish(t)
	tr := checkCapture(t, file, ourUDPPort, roles{weOpen: true, weSend: true, weClose: true})
	authed := checkASCONFAuth(t, file, ourUDPPort, usrsctpHMAC)
	checkASCONFFlows(t, tr, authed, sent)
}

// phaseBytes is the size of a phase's messages together.
func phaseBytes(phase int) int {
	n := 0
	for i := range phaseMessages {
		n += len(driverMessage(phase, i))
	}
	return n
}

// checkASCONFFlows checks that the capture holds at least two ASCONFs
// (Add IP Address, Set Primary Address) in direction dir and as many
// ASCONF-ACKs the other way, and that the AUTH check saw them all.
func checkASCONFFlows(t *testing.T, tr traffic, authed map[flow]int, dir direction) {
	t.Helper()
	for _, f := range []flow{{dir, wire.TypeAsconf}, {!dir, wire.TypeAsconfAck}} {
		if n := tr.chunks[f]; n < 2 {
			t.Errorf("%d %v in the capture, want at least 2", n, f)
		}
	}
	for _, f := range []flow{{sent, wire.TypeAsconf}, {received, wire.TypeAsconf}, {sent, wire.TypeAsconfAck}, {received, wire.TypeAsconfAck}} {
		if tr.chunks[f] != authed[f] {
			t.Errorf("tshark counted %d %v, the AUTH check %d", tr.chunks[f], f, authed[f])
		}
	}
}
