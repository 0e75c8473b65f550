package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/perf"
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

// loopback4 is the default local address.
var loopback4 = netip.MustParseAddr("127.0.0.1")

// perfFlags are the flags that server and client share.
type perfFlags struct {
	json         bool
	pcap         string
	zeroChecksum bool
}

func (p *perfFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&p.json, "json", false, "print one JSON object per association and nothing else on stdout")
	fs.StringVar(&p.pcap, "pcap", "", "record every packet sent and received in pcapng `file`")
	fs.BoolVar(&p.zeroChecksum, "accept-zero-checksum", false,
		"accept packets with a zero CRC32c, as usrsctp sends on loopback by default")
}

// output says how perf prints to e.
func (p *perfFlags) output(e *env) perf.Output {
	return perf.Output{Stdout: e.stdout, Stderr: e.stderr, JSON: p.json, Progress: e.terminal}
}

// endpoint returns the endpoint configuration, opening the pcapng file if
// one was asked for; closeTap closes it after the endpoint is closed.
func (p *perfFlags) endpoint(addrs []netip.Addr, udpPort int) (cfg stack.Config, closeTap func(), err error) {
	cfg = stack.Config{LocalAddrs: addrs, UDPPort: udpPort, AcceptZeroChecksum: p.zeroChecksum}
	if p.pcap == "" {
		return cfg, func() {}, nil
	}
	if cfg.Tap, err = pcapng.Create(p.pcap); err != nil {
		return cfg, nil, fmt.Errorf("--pcap: %w", err)
	}
	return cfg, func() { cfg.Tap.Close() }, nil
}
