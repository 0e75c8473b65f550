package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/internal/perf"
	"github.com/mobisctp/mobisctp/pcapng"
	"github.com/mobisctp/mobisctp/stack"
)

// perfCommands are the subcommands of perf.
var perfCommands = []command{
	{"server", "accept associations, count, hash and optionally echo what they carry", runPerfServer},
	{"client", "send a pseudorandom payload for a time or byte budget", runPerfClient},
}

func runPerf(ctx context.Context, e *env, args []string) int {
	return dispatch(ctx, e, "mobisctp perf", perfCommands, args)
}

// loopback4 is the address of this host that local examples use.
var loopback4 = netip.MustParseAddr("127.0.0.1")

// perfFlags are the flags that server and client share.
type perfFlags struct {
	json         bool
	pcap         string
	zeroChecksum bool
	autoASCONF   bool
	noOffload    bool
	noVerify     bool
	pmtu         int
	script       scriptFlags
	logs         *logLevel
	interval     time.Duration
}

func (p *perfFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&p.json, "json", false, "print one JSON object per association and nothing else on stdout")
	fs.StringVar(&p.pcap, "pcap", "", "record every packet sent and received in pcapng `file`")
	fs.BoolVar(&p.zeroChecksum, "accept-zero-checksum", false,
		"accept packets with a zero CRC32c, as usrsctp sends on loopback by default")
	fs.BoolVar(&p.autoASCONF, "auto-asconf", false,
		"follow the host's addresses: tell the peer (ASCONF) about addresses that appear, making them primary, and that go")
	fs.BoolVar(&p.noOffload, "no-offload", false, "send and receive without UDP segmentation offload (GSO/GRO)")
	fs.BoolVar(&p.noVerify, "no-verify", false,
		"check nothing: no SHA-256 of the streams, the same bytes in every message, echoes and reverse data counted only (for benchmarks; use on both ends)")
	fs.IntVar(&p.pmtu, "pmtu", 0, "use this path MTU (bytes, IP header included) as is instead of discovering it (RFC 8899); 0: discover it, up to the MTU of the route toward the peer (1500 where the OS does not tell it)")
	p.script.register(fs)
	p.logs = registerLogLevel(fs, logging.LogLevelDisabled)
	fs.DurationVar(&p.interval, "report-interval", time.Second, "print bytes and rate every `interval`, and keep them as a series in --json (negative: off)")
}

// output says how perf prints to e.
func (p *perfFlags) output(e *env) perf.Output {
	return perf.Output{Stdout: e.stdout, Stderr: e.stderr, JSON: p.json, Interval: p.interval}
}

// endpoint returns the endpoint configuration, opening the pcapng file if
// one was asked for; closeTap closes it after the endpoint is closed.
func (p *perfFlags) endpoint(e *env, addrs []netip.Addr, udpPort int) (cfg stack.Config, closeTap func(), err error) {
	cfg = stack.Config{LocalAddrs: addrs, UDPPort: uint16(udpPort), EphemeralUDPPort: udpPort == 0, AcceptZeroChecksum: p.zeroChecksum,
		AutoASCONF: p.autoASCONF, AutoSetPrimary: p.autoASCONF, NoOffload: p.noOffload, LoggerFactory: p.logs.factory(e.stderr),
		PMTU: p.pmtu, PMTUFixed: p.pmtu != 0}
	if p.pcap == "" {
		return cfg, func() {}, nil
	}
	tap, err := pcapng.Create(p.pcap)
	if err != nil {
		return cfg, nil, fmt.Errorf("--pcap: %w", err)
	}
	cfg.Tap = tap
	return cfg, func() { tap.Close() }, nil
}

// scriptFlags collect the scripted address changes: repeatable
// --add-addr, --del-addr and --set-primary flags of the form ADDR@DUR.
type scriptFlags struct{ actions []perf.AddrAction }

func (s *scriptFlags) register(fs *flag.FlagSet) {
	for op, usage := range map[perf.AddrOp]string{
		perf.AddAddr:    "at `ADDR@DUR` (as 192.0.2.7@2s), tell the peer about a new local address (repeatable)",
		perf.DelAddr:    "at `ADDR@DUR`, ask the peer to stop using a local address (repeatable)",
		perf.SetPrimary: "at `ADDR@DUR`, ask the peer to send to this local address (repeatable)",
	} {
		fs.Func(string(op), usage, func(v string) error {
			a, err := perf.ParseAddrAction(op, v)
			if err == nil {
				s.actions = append(s.actions, a)
			}
			return err
		})
	}
}
