package main

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/mobisctp/mobisctp/internal/perf"
	"github.com/mobisctp/mobisctp/stack"
)

func runPerfServer(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp perf server", "[--listen ADDR[,ADDR...]:PORT] [--udp-port N] [--echo] [--once] [--json] [--pcap FILE]")
	listen := addrList{port: perf.DefaultPort}
	fs.Var(&listen, "listen", "local `addresses` and the SCTP port they share, as in 127.0.0.1,127.0.0.2:5001, [::1]:5001 or :5001 for every address of the host (port 0: ephemeral; default every address of the host, port 5001)")
	udpPort := fs.Int("udp-port", stack.DefaultUDPPort, "local UDP encapsulation `port` (0: ephemeral)")
	echo := fs.Bool("echo", false, "send every message back on its stream with its PPID")
	once := fs.Bool("once", false, "exit after one association")
	var common perfFlags
	common.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := checkPort(fs, "udp-port", *udpPort, 0); err != nil {
		return usageError(fs, "%v", err)
	}

	ec, closeTap, err := common.endpoint(e, listen.addrs, *udpPort)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer closeTap()
	ec.Port = listen.port
	srv, err := perf.Listen(perf.ServerConfig{Endpoint: ec, Echo: *echo, Once: *once, Output: common.output(e), Script: common.script.actions,
		NoVerify: common.noVerify})
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer srv.Close()
	// On stderr, so that stdout stays pure JSON with --json.
	fmt.Fprintf(e.stderr, "listening on %s, SCTP port %d, UDP port %d\n",
		joinAddrs(srv.LocalAddrs()), srv.Port(), srv.UDPPort())
	if err := srv.Serve(ctx); err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	return exitOK
}

// joinAddrs formats addresses for text output: "127.0.0.1,::1".
func joinAddrs(addrs []netip.Addr) string { return strings.Join(addrStrings(addrs), ",") }

// addrStrings is the JSON form of a set of addresses, the same in every
// command's output: an array of strings.
func addrStrings(addrs []netip.Addr) []string {
	s := make([]string, len(addrs))
	for i, a := range addrs {
		s[i] = a.String()
	}
	return s
}
