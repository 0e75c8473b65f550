package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
)

// impl is one implementation under comparison: how to start its server and
// client for a cell and how to read what they report.
type impl struct {
	key  string // as in -impls
	name string // as in the table
	// server and client return the command lines of a cell.
	server, client func(cellArgs) []string
	env            []string // added to both processes' environment
	// serverCPUs and clientCPUs, if set, are the CPUs the server and
	// the client run on (-pin).
	serverCPUs, clientCPUs []int
	// ownProcs says the processes keep Go's default GOMAXPROCS whatever
	// -gomaxprocs says: C programs, and pion/sctp, which is several
	// times faster with every core than with its half of them.
	ownProcs bool
	// fixedPorts says the harness chooses both UDP ports, because the
	// server cannot report an ephemeral one. Otherwise the server prints
	// its port on stderr (measure.ReadyPattern).
	fixedPorts bool
	// resultLine, if set, says the server does not exit on its own: it
	// prints this on stdout when the association ends, and is then
	// stopped. Otherwise it exits after one association.
	resultLine *regexp.Regexp
	// notReady, if set, matches the stderr of a client that failed
	// because the server was not ready although its port was open; such
	// a client is started again.
	notReady *regexp.Regexp
	// parseServer and parseClient read the two processes' stdout: what
	// the server received and what the client sent.
	parseServer, parseClient func([]byte) (measure.Result, error)
}

// cellArgs are what one cell's command lines are made from.
type cellArgs struct {
	size       int
	time       time.Duration // how long the client sends
	serverPort int           // the server's UDP port
	clientPort int           // the client's UDP port, with fixedPorts only
}

// Keys of the implementations that ratios refer to.
const (
	keyOurs          = "ours"
	keyOursNoOffload = "ours-nooffload" // without UDP GSO and GRO
	keyPion          = "pion"
	keyUDP           = "udp"     // batched, without offload: the ceiling of ours-nooffload
	keyUDPOffload    = "udp-gso" // batched, with GSO and GRO: the ceiling of ours
	// keyUDPWork is udp-gso plus the per-byte work every SCTP over UDP
	// does (a copy kept for retransmission, CRC32c at both ends, a copy
	// out): a ceiling no stack of that kind can pass.
	keyUDPWork = "udp-gso-work"
)

// udpReference is the raw UDP row that a mobisctp row is compared with:
// the one that moves datagrams the same way.
var udpReference = map[string]string{keyOurs: keyUDPOffload, keyOursNoOffload: keyUDP}

// implementations returns every implementation the harness knows, by key;
// binaries are in bin. tsctp is nil when it cannot run here (see
// prepareTsctp).
func implementations(bin string, tsctp *tsctpSetup) map[string]*impl {
	mobisctp := filepath.Join(bin, "mobisctp")
	pionperf := filepath.Join(bin, "pionperf")
	udpperf := filepath.Join(bin, "udpperf")
	toolServer := func(tool string) func(cellArgs) []string {
		return func(cellArgs) []string { return []string{tool, "server"} }
	}
	toolClient := func(tool string, extra ...string) func(cellArgs) []string {
		return func(a cellArgs) []string {
			return append([]string{tool, "client", "-connect", udpAddr(a.serverPort),
				"-size", strconv.Itoa(a.size), "-time", a.time.String()}, extra...)
		}
	}
	udp := func(key, name string, flags ...string) *impl {
		return &impl{key: key, name: name,
			server: func(cellArgs) []string { return append([]string{udpperf, "server"}, flags...) },
			client: toolClient(udpperf, flags...), parseServer: parseResult, parseClient: parseResult}
	}
	ours := func(key, name string, extra ...string) *impl {
		return &impl{
			key: key, name: name,
			server: func(cellArgs) []string {
				return append([]string{mobisctp, "perf", "server", "--once", "--json", "--no-verify", "--udp-port", "0", "--listen", "127.0.0.1:5001"}, extra...)
			},
			client: func(a cellArgs) []string {
				return append([]string{mobisctp, "perf", "client", "--json", "--no-verify", "--size", strconv.Itoa(a.size), "--time", a.time.String(),
					"--connect", "127.0.0.1:5001", "--remote-udp-port", strconv.Itoa(a.serverPort)}, extra...)
			},
			parseServer: parsePerf, parseClient: parsePerf,
		}
	}
	m := map[string]*impl{
		keyOurs:          ours(keyOurs, "mobisctp"),
		keyOursNoOffload: ours(keyOursNoOffload, "mobisctp --no-offload", "--no-offload"),
		keyPion: {key: keyPion, name: "pion/sctp", server: toolServer(pionperf), client: toolClient(pionperf),
			parseServer: parseResult, parseClient: parseResult, ownProcs: true},
		keyUDPOffload: udp(keyUDPOffload, "raw UDP (GSO/GRO)", "-offload"),
		keyUDPWork:    udp(keyUDPWork, "raw UDP (GSO/GRO) + SCTP's per-byte work", "-offload", "-sctp-work"),
		keyUDP:        udp(keyUDP, "raw UDP (sendmmsg)"),
		"udp1":        udp("udp1", "raw UDP (send)", "-batch", "1"),
	}
	if tsctp != nil {
		m["tsctp"] = tsctp.impl()
	}
	return m
}

// udpAddr is a loopback UDP address.
func udpAddr(port int) string { return fmt.Sprintf("127.0.0.1:%d", port) }
