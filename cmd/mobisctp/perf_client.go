package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/internal/perf"
	"github.com/mobisctp/mobisctp/stack"
)

// clientFlags are the flags of perf client.
type clientFlags struct {
	connect, bind         addrList
	remoteUDP, udpPort    int
	size, bytes           byteSize
	duration              time.Duration
	connectTimeout        time.Duration
	streams               int
	ppid                  uint64
	unordered, expectEcho bool
	reverse               bool
	bitrate               bitrate
	parallel              int
	common                perfFlags
}

func (c *clientFlags) register(fs *flag.FlagSet) {
	c.connect.port = perf.DefaultPort
	c.size = perf.DefaultSize
	fs.Var(&c.connect, "connect", "the server's `addresses` and the SCTP port they share, as in 127.0.0.1,127.0.0.2:5001 or [::1] (required; port 5001 if omitted)")
	fs.IntVar(&c.remoteUDP, "remote-udp-port", stack.DefaultUDPPort, "the server's UDP encapsulation `port`")
	fs.IntVar(&c.udpPort, "udp-port", 0, "local UDP encapsulation `port` (0: ephemeral)")
	fs.Var(&c.bind, "bind", "local `addresses` (default: every address of the host)")
	fs.Var(&c.size, "size", "message size in `bytes`")
	fs.DurationVar(&c.duration, "time", perf.DefaultDuration, "send for this `duration`")
	fs.DurationVar(&c.connectTimeout, "connect-timeout", perf.DefaultConnectTimeout, "give up connecting after this `duration`")
	fs.Var(&c.bytes, "bytes", "send this many `bytes` instead of sending for a time")
	fs.IntVar(&c.streams, "streams", 1, "spread messages round-robin over `n` streams")
	fs.Uint64Var(&c.ppid, "ppid", 0, "payload protocol identifier of the messages")
	fs.BoolVar(&c.unordered, "unordered", false, "send unordered messages (hashes then match only if none overtook another)")
	fs.BoolVar(&c.expectEcho, "echo", false, "the server echoes: wait for every echo, fail if one is missing")
	fs.Var(&c.bitrate, "bitrate", "send at most this many `bits` of payload per second, as in 100M (K, M, G: powers of 1000; default unlimited)")
	fs.IntVar(&c.parallel, "parallel", 1, "run `n` associations side by side, each from an endpoint of its own")
	fs.BoolVar(&c.reverse, "reverse", false, "the server sends, as the other flags say, and the client checks every message (a mobisctp server)")
	c.common.register(fs)
}

// validate checks values and combinations, naming the flag at fault.
func (c *clientFlags) validate(fs *flag.FlagSet) error {
	switch {
	case !isSet(fs, "connect"):
		return fmt.Errorf("--connect is required")
	case len(c.connect.addrs) == 0:
		return fmt.Errorf("--connect: give the server's address, not only its port")
	case c.connect.port == 0:
		return fmt.Errorf("--connect: the SCTP port must not be 0")
	case c.bind.hasPort:
		return fmt.Errorf("--bind takes addresses only; the local SCTP port is ephemeral")
	}
	if err := checkSending(fs, c.duration, c.bytes, c.size, c.connectTimeout); err != nil {
		return err
	}
	switch {
	case c.streams < 1 || c.streams > perf.MaxStreams:
		return fmt.Errorf("--streams %d: must be between 1 and %d", c.streams, perf.MaxStreams)
	case c.ppid > 1<<32-1:
		return fmt.Errorf("--ppid %d: must fit in 32 bits", c.ppid)
	case c.ppid == perf.ReversePPID:
		return fmt.Errorf("--ppid %d: reserved for the --reverse request", c.ppid)
	case c.reverse && c.expectEcho:
		return fmt.Errorf("--reverse and --echo exclude each other")
	case c.parallel < 1 || c.parallel > maxParallel:
		return fmt.Errorf("--parallel %d: must be between 1 and %d", c.parallel, maxParallel)
	case c.parallel > 1 && c.udpPort != 0:
		return fmt.Errorf("--parallel %d with --udp-port %d: parallel associations need ephemeral UDP ports", c.parallel, c.udpPort)
	}
	if err := checkPort(fs, "remote-udp-port", c.remoteUDP, 1); err != nil {
		return err
	}
	return checkPort(fs, "udp-port", c.udpPort, 0)
}

// localAddrs returns --bind; none means the stack's default, every
// address of the host.
func (c *clientFlags) localAddrs() []netip.Addr { return c.bind.addrs }

func runPerfClient(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp perf client", "--connect ADDR[,ADDR...]:PORT [--time DUR | --bytes N] [--size BYTES] [--streams N] [flags]")
	var c clientFlags
	c.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := c.validate(fs); err != nil {
		return usageError(fs, "%v", err)
	}

	ec, closeTap, err := c.common.endpoint(e, c.localAddrs(), c.udpPort)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer closeTap()
	cfg := perf.ClientConfig{
		Endpoint:       ec,
		Remote:         stack.Remote{Addrs: c.connect.addrs, Port: c.connect.port, UDPPort: uint16(c.remoteUDP)},
		Size:           int(c.size),
		Bytes:          int64(c.bytes),
		Duration:       c.duration,
		Streams:        c.streams,
		PPID:           uint32(c.ppid),
		Unordered:      c.unordered,
		Echo:           c.expectEcho,
		Output:         c.common.output(e),
		Script:         c.common.script.actions,
		Bitrate:        float64(c.bitrate),
		Reverse:        c.reverse,
		ConnectTimeout: c.connectTimeout,
		NoVerify:       c.common.noVerify,
	}
	errs := make([]error, c.parallel)
	run := func(i int) {
		cfg := cfg
		cfg.Association = i + 1
		_, errs[i] = perf.RunClient(ctx, cfg)
	}
	// One association runs on this goroutine: a caller that switched its
	// thread into a network namespace (the tests) keeps its sockets there.
	if c.parallel == 1 {
		run(0)
	} else {
		// The associations' reports share the terminal: one lock for
		// both streams keeps their lines whole.
		var mu sync.Mutex
		cfg.Output.Stdout = &lockedWriter{mu: &mu, w: cfg.Output.Stdout}
		cfg.Output.Stderr = &lockedWriter{mu: &mu, w: cfg.Output.Stderr}
		var wg sync.WaitGroup
		for i := range c.parallel {
			wg.Go(func() { run(i) })
		}
		wg.Wait()
	}
	code := exitOK
	for _, err := range errs {
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
			code = exitFail
		}
	}
	return code
}

// maxParallel bounds --parallel: each association has an endpoint, with a
// socket and 4 MiB buffers.
const maxParallel = 128

// bitrate is a flag value in bits per second with an optional decimal
// suffix K, M or G, as iperf3 takes it: "500K", "100M", "1.5G".
type bitrate float64

var bitrateSuffixes = map[string]float64{"K": 1e3, "M": 1e6, "G": 1e9}

func (b *bitrate) Set(s string) error {
	num, mult := s, 1.0
	if n := len(s); n > 0 {
		if m, ok := bitrateSuffixes[strings.ToUpper(s[n-1:])]; ok {
			num, mult = s[:n-1], m
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) {
		return fmt.Errorf("%q is not a bitrate (like 500K, 100M or 1.5G bits per second)", s)
	}
	*b = bitrate(v * mult)
	return nil
}

func (b *bitrate) String() string {
	if b == nil || *b == 0 {
		return ""
	}
	return strconv.FormatFloat(float64(*b), 'g', -1, 64)
}

// lockedWriter serialises writes to w under mu, which several writers share.
type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w == nil {
		return len(p), nil
	}
	return l.w.Write(p)
}
