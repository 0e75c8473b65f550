package registrar

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// fakeConn stands for an association in tests of the message handling
// that need no network.
type fakeConn struct{ peers []netip.Addr }

func (f *fakeConn) RecvMsg(context.Context, []byte) (int, stack.RecvInfo, error) {
	return 0, stack.RecvInfo{}, io.EOF
}

func (f *fakeConn) SendMsg(context.Context, []byte, stack.SendInfo) error { return nil }

func (f *fakeConn) Paths() []stack.PathInfo {
	paths := make([]stack.PathInfo, len(f.peers))
	for i, a := range f.peers {
		paths[i].Remote = netip.AddrPortFrom(a, stack.DefaultUDPPort)
	}
	return paths
}

func (f *fakeConn) RemoteAddr() netip.AddrPort {
	return netip.AddrPortFrom(f.peers[0], stack.DefaultUDPPort)
}
func (f *fakeConn) PeerPort() uint16   { return 5000 }
func (f *fakeConn) Abort(string) error { return nil }
func (f *fakeConn) Close() error       { return nil }

// reply is one message the handler answered with.
type reply struct {
	ppid uint32
	msg  []byte
}

// handlerRig drives the message handler of a registrar core directly.
type handlerRig struct {
	c *core
	s *session
}

func newHandlerRig() *handlerRig {
	cfg := Config{ServerID: 0xabc}.withDefaults()
	c := newCore(cfg, cfg.LoggerFactory.NewLogger("registrar"))
	return &handlerRig{c: c, s: newSession(&fakeConn{peers: []netip.Addr{peAddr}})}
}

// feed hands one message to the handler and returns its answers.
func (h *handlerRig) feed(ppid uint32, msg []byte) []reply {
	var peer []netip.Addr
	if isRegistration(ppid, msg) {
		peer = peerAddrs(h.s.conn)
	}
	h.c.handle(h.s, ppid, msg, peer, time.Unix(1700000000, 0))
	var out []reply
	start := 0
	for _, m := range h.s.out.msgs {
		out = append(out, reply{m.ppid, bytes.Clone(h.s.out.buf[start:m.end])})
		start = m.end
	}
	h.s.out.reset()
	return out
}

// checkReply decodes an answer completely, as a peer would.
func checkReply(r reply) error {
	switch r.ppid {
	case wire.PPIDASAP:
		m, err := wire.ParseASAP(r.msg)
		if err != nil {
			return err
		}
		v := map[wire.ASAPType]wire.ASAPValue{
			wire.ASAPRegistrationResponse:     &wire.RegistrationResponse{},
			wire.ASAPDeregistrationResponse:   &wire.DeregistrationResponse{},
			wire.ASAPHandleResolutionResponse: &wire.HandleResolutionResponse{},
			wire.ASAPError:                    &wire.ASAPErrorMessage{},
		}[m.Type()]
		if v == nil {
			return fmt.Errorf("a registrar does not answer with %v", m.Type())
		}
		return m.Decode(v)
	case wire.PPIDENRP:
		m, err := wire.ParseENRP(r.msg)
		if err != nil {
			return err
		}
		v := map[wire.ENRPType]wire.ENRPValue{
			wire.ENRPHandleTableResponse: &wire.HandleTableResponse{},
			wire.ENRPError:               &wire.ENRPErrorMessage{},
		}[m.Type()]
		if v == nil {
			return fmt.Errorf("a registrar does not answer with %v", m.Type())
		}
		return m.Decode(v)
	}
	return fmt.Errorf("answer with PPID %d", r.ppid)
}

// errorCauses returns the causes of an ASAP or ENRP Error answer.
func errorCauses(t *testing.T, r reply) []wire.Cause {
	t.Helper()
	if r.ppid == wire.PPIDENRP {
		var e wire.ENRPErrorMessage
		m, err := wire.ParseENRP(r.msg)
		if err == nil {
			err = m.Decode(&e)
		}
		if err != nil {
			t.Fatalf("answer %x is no ENRP Error: %v", r.msg, err)
		}
		return e.Error.Causes
	}
	var e wire.ASAPErrorMessage
	m, err := wire.ParseASAP(r.msg)
	if err == nil {
		err = m.Decode(&e)
	}
	if err != nil {
		t.Fatalf("answer %x is no ASAP Error: %v", r.msg, err)
	}
	return e.Error.Causes
}

// withParam appends a raw parameter to a message and fixes its length.
func withRawParam(msg []byte, typ wire.ParamType, value []byte) []byte {
	msg = append(bytes.Clone(msg), byte(typ>>8), byte(typ), 0, byte(4+len(value)))
	msg = append(msg, value...)
	for len(msg)%4 != 0 {
		msg = append(msg, 0)
	}
	msg[2], msg[3] = byte(len(msg)>>8), byte(len(msg))
	return msg
}

// TestBadInput feeds malformed, unknown and unexpected messages to the
// handler: each is answered as RFC 5352 says (or, for Errors and messages
// not meant for a registrar, not at all), counted, and never crashes.
func TestBadInput(t *testing.T) {
	resolution := wire.AppendASAP(nil, &wire.HandleResolution{Handle: wire.PoolHandle("echo")})
	registration := wire.AppendASAP(nil, &wire.Registration{Handle: wire.PoolHandle("echo"), Element: element(1, roundRobin, peAddr)})
	badAddr := bytes.Clone(registration)
	badAddr[len(badAddr)-len(wire.AppendParam(nil, roundRobin))-5] = 5 // IPv4 Address parameter length 8 -> 5
	unknown := []byte{0x42, 0, 0, 8, 1, 2, 3, 4}
	valueParam := wire.AppendParam(nil, wire.PoolHandle("echo"))
	const (
		stopParam       wire.ParamType = 0x0123 // stop, do not report
		stopReportParam wire.ParamType = 0x4123
		skipParam       wire.ParamType = 0x8123
		skipReportParam wire.ParamType = 0xc123
	)
	for _, tc := range []struct {
		name    string
		ppid    uint32
		msg     []byte
		answers []wire.ASAPType // ASAP answers expected, in order (ENRP: ASAPError stands for ENRP Error)
		cause   wire.CauseCode  // of the last answer, an Error
		info    []byte          // its information, if not nil
	}{
		{"empty", wire.PPIDASAP, nil, []wire.ASAPType{wire.ASAPError}, wire.CauseUnspecified, nil},
		{"short header", wire.PPIDASAP, []byte{5, 0}, []wire.ASAPType{wire.ASAPError}, wire.CauseUnspecified, nil},
		{"length beyond message", wire.PPIDASAP, []byte{5, 0, 0, 40}, []wire.ASAPType{wire.ASAPError}, wire.CauseUnspecified, nil},
		{"unknown type", wire.PPIDASAP, unknown, []wire.ASAPType{wire.ASAPError}, wire.CauseUnrecognizedMessage, unknown},
		{"missing parameter", wire.PPIDASAP, []byte{1, 0, 0, 4}, []wire.ASAPType{wire.ASAPError}, wire.CauseUnspecified, nil},
		{"bad address", wire.PPIDASAP, badAddr, []wire.ASAPType{wire.ASAPError}, wire.CauseInvalidValues, badAddr[4+len(valueParam):]},
		{"stop parameter", wire.PPIDASAP, withRawParam(resolution, stopParam, []byte{1, 2, 3, 4}), nil, 0, nil},
		{"stop and report parameter", wire.PPIDASAP, withRawParam(resolution, stopReportParam, []byte{1, 2, 3, 4}),
			[]wire.ASAPType{wire.ASAPError}, wire.CauseUnrecognizedParameter, []byte{0x41, 0x23, 0, 8, 1, 2, 3, 4}},
		{"skip parameter", wire.PPIDASAP, withRawParam(resolution, skipParam, nil), []wire.ASAPType{wire.ASAPHandleResolutionResponse}, 0, nil},
		{"skip and report parameter", wire.PPIDASAP, withRawParam(resolution, skipReportParam, nil),
			[]wire.ASAPType{wire.ASAPHandleResolutionResponse, wire.ASAPError}, wire.CauseUnrecognizedParameter, []byte{0xc1, 0x23, 0, 4}},
		{"error", wire.PPIDASAP, wire.AppendASAP(nil, &wire.ASAPErrorMessage{Error: wire.OperationError{Causes: []wire.Cause{{Code: 1}}}}), nil, 0, nil},
		{"malformed error", wire.PPIDASAP, []byte{0x0e, 0, 0, 99}, nil, 0, nil},
		{"response", wire.PPIDASAP, wire.AppendASAP(nil, &wire.RegistrationResponse{Handle: wire.PoolHandle("x"), PEID: 1}), nil, 0, nil},
		{"ENRP garbage", wire.PPIDENRP, []byte{2, 0, 0}, []wire.ASAPType{wire.ASAPError}, wire.CauseUnspecified, nil},
		{"ENRP unknown type", wire.PPIDENRP, []byte{0x77, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 0}, []wire.ASAPType{wire.ASAPError}, wire.CauseUnrecognizedMessage, nil},
		{"ENRP presence", wire.PPIDENRP, wire.AppendENRP(nil, &wire.Presence{Checksum: 1}), nil, 0, nil},
		{"other protocol", 51, registration, nil, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandlerRig()
			out := h.feed(tc.ppid, tc.msg)
			if len(out) != len(tc.answers) {
				t.Fatalf("%d answers, want %d: %x", len(out), len(tc.answers), out)
			}
			for i, r := range out {
				if err := checkReply(r); err != nil {
					t.Errorf("answer %d %x: %v", i, r.msg, err)
				}
				if want := tc.answers[i]; r.ppid == wire.PPIDASAP && wire.ASAPType(r.msg[0]) != want {
					t.Errorf("answer %d is %v, want %v", i, wire.ASAPType(r.msg[0]), want)
				}
			}
			if tc.cause == 0 {
				return
			}
			causes := errorCauses(t, out[len(out)-1])
			if len(causes) != 1 || causes[0].Code != tc.cause || tc.info != nil && !bytes.Equal(causes[0].Info, tc.info) {
				t.Errorf("causes %v %x, want %v %x", causeCodes(causes), causes[0].Info, tc.cause, tc.info)
			}
			if s := h.c.stats.snapshot(); s.ErrorsSent[tc.cause] != 1 {
				t.Errorf("errors sent %v", s.ErrorsSent)
			}
		})
	}
}

// TestBadInputCounted checks the counters of bad input.
func TestBadInputCounted(t *testing.T) {
	h := newHandlerRig()
	h.feed(wire.PPIDASAP, []byte{5, 0})
	h.feed(wire.PPIDASAP, []byte{0x42, 0, 0, 4})
	h.feed(wire.PPIDASAP, []byte{0x0e, 0, 0, 4})
	h.feed(wire.PPIDENRP, wire.AppendENRP(nil, &wire.Presence{}))
	s := h.c.stats.snapshot()
	if s.Malformed != 1 || s.Unrecognized != 1 || s.ErrorsReceived != 1 || s.Ignored != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestHugeRegistrationRefused refuses a registration whose pool handle is
// too long to be returned twice, once as the handle of the response and
// once as the parameter at fault: the answer must still be a valid
// message, and say Invalid Values with the start of the handle.
func TestHugeRegistrationRefused(t *testing.T) {
	h := newHandlerRig()
	reg := wire.Registration{Handle: make(wire.PoolHandle, 40000), Element: element(1, roundRobin, peAddr)}
	out := h.feed(wire.PPIDASAP, wire.AppendASAP(nil, &reg))
	if len(out) != 1 {
		t.Fatalf("%d answers", len(out))
	}
	var r wire.RegistrationResponse
	m, err := wire.ParseASAP(out[0].msg)
	if err == nil {
		err = m.Decode(&r)
	}
	if err != nil || !r.Reject || !slices.Equal(causeCodes(r.Error.Causes), []wire.CauseCode{wire.CauseInvalidValues}) {
		t.Fatalf("answer %+v, %v", r.Error, err)
	}
	if want := wire.AppendParam(nil, reg.Handle[:DefaultMaxHandleLen+1]); !bytes.Equal(r.Error.Causes[0].Info, want) {
		t.Errorf("cause information %x, want %x", r.Error.Causes[0].Info, want)
	}
}

// TestHugeResolution resolves a pool handle longer than any pool's: the
// answer is an Error with Invalid Values.
func TestHugeResolution(t *testing.T) {
	h := newHandlerRig()
	out := h.feed(wire.PPIDASAP, wire.AppendASAP(nil, &wire.HandleResolution{Handle: make(wire.PoolHandle, maxMessage-12)}))
	if len(out) != 1 || !slices.Equal(causeCodes(errorCauses(t, out[0])), []wire.CauseCode{wire.CauseInvalidValues}) {
		t.Errorf("answers %x", out)
	}
}

// TestOversizedMessage sends an SCTP message larger than any ASAP message:
// it is read to its end and answered with an Error.
func TestOversizedMessage(t *testing.T) {
	h := newHandlerRig()
	big := make([]byte, maxMessage+1)
	big[0], big[2], big[3] = byte(wire.ASAPHandleResolution), 0xff, 0xff
	out := h.feed(wire.PPIDASAP, big)
	if len(out) != 1 || !slices.Equal(causeCodes(errorCauses(t, out[0])), []wire.CauseCode{wire.CauseUnspecified}) {
		t.Errorf("answers %x", out)
	}
}

// FuzzHandle feeds random messages to the handler of a registrar whose
// handlespace already holds an element: no input may crash it, and every
// answer must decode.
func FuzzHandle(f *testing.F) {
	seeds := []wire.ASAPValue{
		&wire.Registration{Handle: wire.PoolHandle("echo"), Element: element(2, roundRobin, peAddr)},
		&wire.Deregistration{Handle: wire.PoolHandle("echo"), PEID: 1},
		&wire.HandleResolution{Handle: wire.PoolHandle("echo"), Items: 2},
		&wire.EndpointKeepAliveAck{Handle: wire.PoolHandle("echo"), PEID: 1},
		&wire.EndpointUnreachable{Handle: wire.PoolHandle("echo"), PEID: 1},
		&wire.ASAPErrorMessage{Error: wire.OperationError{Causes: []wire.Cause{{Code: 2, Info: []byte{1}}}}},
	}
	for _, v := range seeds {
		f.Add(false, wire.AppendASAP(nil, v))
	}
	f.Add(true, wire.AppendENRP(nil, &wire.HandleTableRequest{}))
	f.Fuzz(func(t *testing.T, enrp bool, msg []byte) {
		h := newHandlerRig()
		h.feed(wire.PPIDASAP, wire.AppendASAP(nil, seeds[0]))
		ppid := uint32(wire.PPIDASAP)
		if enrp {
			ppid = wire.PPIDENRP
		}
		for _, r := range h.feed(ppid, msg) {
			if err := checkReply(r); err != nil {
				t.Fatalf("answer %x to %x: %v", r.msg, msg, err)
			}
		}
	})
}
