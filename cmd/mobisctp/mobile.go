package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/internal/perf"
	"github.com/mobisctp/mobisctp/mobility"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// mobileFlags are the flags of mobisctp mobile.
type mobileFlags struct {
	regs           registrarFlags
	timers         sctpFlags
	logs           *logLevel
	handle, peer   string
	listen         addrList
	mode           string
	expectEcho     bool
	size, bytes    byteSize
	duration       time.Duration
	bitrate        bitrate
	connectTimeout time.Duration
	deadline       time.Duration
	recoveryName   string
	recovery       mobility.Recovery // parsed from recoveryName by validate
	plot           string
	json           bool
}

// The modes of mobisctp mobile. Every mode reads what the peer sends.
const (
	modeSend = "send" // send a payload, then close
	modeRecv = "recv" // read until the peer closes
	modeEcho = "echo" // send back every message read, until the peer closes
)

func (m *mobileFlags) register(fs *flag.FlagSet) {
	m.regs.registerList(fs)
	m.timers.register(fs)
	m.logs = registerLogLevel(fs, logging.LogLevelDisabled)
	m.size = perf.DefaultSize
	fs.StringVar(&m.handle, "handle", "", "the node's own pool `handle`: it registers under it and re-registers after every move "+
		"(optional with --peer: without one the node is a pool user, and the peer learns its moves from its ASCONFs)")
	fs.StringVar(&m.peer, "peer", "", "dial the node registered under this pool `handle` (default: accept one association)")
	fs.Var(&m.listen, "listen", "local `addresses` and the port they share, both as SCTP and as UDP port "+
		"(default: the host's addresses of the registrar's family, loopback only toward a registrar on loopback; "+
		"the node follows the host's addresses as they come and go; port picked at random)")
	fs.StringVar(&m.mode, "mode", modeSend, "send, recv or echo: send a payload, only read, or send back what arrives; every mode reads what the peer sends")
	fs.BoolVar(&m.expectEcho, "echo", false, "with --mode send: the peer echoes; wait for every echo before closing")
	fs.Var(&m.size, "size", "message size in `bytes`")
	fs.Var(&m.bytes, "bytes", "send this many `bytes` instead of sending for a time")
	fs.DurationVar(&m.duration, "time", perf.DefaultDuration, "send for this `duration` (Ctrl-C ends the sending earlier)")
	fs.Var(&m.bitrate, "bitrate", "send at most this many `bits` of payload per second, as in 10M (K, M, G: powers of 1000; default unlimited)")
	fs.DurationVar(&m.connectTimeout, "connect-timeout", perf.DefaultConnectTimeout, "with --peer: give up finding and dialling the peer after this `duration`")
	fs.DurationVar(&m.deadline, "handover-deadline", mobility.DefaultDeadline, "how long a handover may take before the association gives up on re-attaching")
	fs.StringVar(&m.recoveryName, "recovery", mobility.RecoverReattach.String(), "how the association recovers when every path is lost: "+
		"reattach (the same association, re-attached by ASCONF after resolving the peer) or failover (the RSPLIB way: "+
		"a new association, and the messages the peer had not delivered sent again)")
	fs.StringVar(&m.plot, "plot", "", "write the timeline plot (bytes delivered, with the handover events) to this SVG `file`")
	fs.BoolVar(&m.json, "json", false, "print one JSON object per event, and the summary as the last one")
}

// validate checks values and combinations, naming the flag at fault.
func (m *mobileFlags) validate(fs *flag.FlagSet) error {
	if len(m.regs.list) == 0 {
		return errors.New("--registrar is required")
	}
	switch {
	case m.handle == "" && m.peer == "":
		return errors.New("--handle or --peer is required: a node without a handle can only dial")
	case m.mode != modeSend && m.mode != modeRecv && m.mode != modeEcho:
		return fmt.Errorf("--mode %q: want send, recv or echo", m.mode)
	case m.expectEcho && m.mode != modeSend:
		return fmt.Errorf("--echo goes with --mode send, not %s", m.mode)
	case m.mode != modeSend && (isSet(fs, "time") || isSet(fs, "bytes") || isSet(fs, "bitrate")):
		return fmt.Errorf("--time, --bytes and --bitrate go with --mode send, not %s", m.mode)
	}
	if err := checkSending(fs, m.duration, m.bytes, m.size, m.connectTimeout); err != nil {
		return err
	}
	switch {
	case m.deadline <= 0:
		return fmt.Errorf("--handover-deadline %v: must be positive", m.deadline)
	case len(m.handle) > maxHandle || len(m.peer) > maxHandle:
		return fmt.Errorf("--handle, --peer: a pool handle has at most %d bytes", maxHandle)
	}
	r, err := mobility.ParseRecovery(m.recoveryName)
	if err != nil {
		return fmt.Errorf("--recovery %q: want reattach or failover", m.recoveryName)
	}
	m.recovery = r
	if err := m.timers.check(); err != nil {
		return err
	}
	return checkPort(fs, "registrar-udp-port", m.regs.udpPort, 1)
}

// maxHandle bounds a pool handle: RFC 5354 leaves it to the application;
// a parameter's length field allows this much.
const maxHandle = 65535 - 4

func runMobile(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp mobile", "--registrar ADDR[:PORT][,...] {--handle H [--peer H] | --peer H} "+
		"[--mode send|recv|echo] [--time DUR | --bytes N] [--size BYTES] [--recovery reattach|failover] [--plot FILE.svg] [--json] [flags]")
	var m mobileFlags
	m.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := m.validate(fs); err != nil {
		return usageError(fs, "%v", err)
	}
	out := &reporter{w: e.stdout, json: m.json, start: time.Now()}
	if err := runMobileNode(ctx, e, &m, out); err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	return exitOK
}

// nodeConfig is the mobile node's configuration; tags watches its
// packets.
func (m *mobileFlags) nodeConfig(e *env, tags *tagWatch) mobility.Config {
	// Without --listen, the host's addresses that the registrar can see
	// (as pe picks them: a registrar refuses to register an address its
	// association with the node lacks, such as loopback); AutoASCONF
	// then follows the host's addresses as they come and go.
	cfg := stack.Config{LocalAddrs: peAddrs(m.listen.addrs, m.regs.list), Port: m.listen.port, LoggerFactory: m.logs.factory(e.stderr), Tap: tags}
	m.timers.apply(&cfg)
	return mobility.Config{
		Handle:     wire.PoolHandle(m.handle),
		Registrars: m.regs.remotes(),
		Endpoint:   cfg,
		Handover:   mobility.ControllerConfig{Deadline: m.deadline, Recovery: m.recovery},
	}
}

// connect dials --peer, retrying while it is not registered yet, or
// accepts one association.
func (m *mobileFlags) connect(ctx context.Context, n *mobility.Node) (*mobility.Conn, error) {
	if m.peer == "" {
		return n.Accept(ctx)
	}
	dctx, cancel := context.WithTimeoutCause(ctx, m.connectTimeout, errConnectTimeout)
	defer cancel()
	c, err := dialWhenRegistered(dctx, n, m.peer)
	if err != nil && errors.Is(context.Cause(dctx), errConnectTimeout) {
		return nil, fmt.Errorf("the connect timeout of %v ran out (--connect-timeout): %w", m.connectTimeout, err)
	}
	return c, err
}

var errConnectTimeout = errors.New("connect timeout")
