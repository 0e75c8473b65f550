package main

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/internal/perf"
	"github.com/mobisctp/mobisctp/stack"
)

// demoDuration is how long the demo sends.
const demoDuration = 3 * time.Second

// runDemo runs a perf server and client in this process on loopback, with
// ephemeral ports, and checks that the server received exactly what the
// client sent.
func runDemo(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp demo", "")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	local := stack.Config{LocalAddrs: []netip.Addr{loopback4}}
	out := perf.Output{Stdout: e.stdout, Stderr: e.stderr, Progress: e.terminal}
	fmt.Fprintf(e.stdout, "perf client -> server on 127.0.0.1 for %v\n", demoDuration)
	client, server, err := perf.RunPair(ctx, perf.ServerConfig{Endpoint: local},
		perf.ClientConfig{Endpoint: local, Duration: demoDuration, Streams: 4, Output: out})
	if err != nil {
		fmt.Fprintf(e.stderr, "demo: %v\n", err)
		return exitFail
	}
	if err := perf.Compare(client.Sent, server.Received); err != nil {
		fmt.Fprintf(e.stdout, "hashes DIFFER:\n%v\n", err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "hashes match: the server received exactly what the client sent (%d streams, %d bytes)\n",
		len(client.Sent.Streams), client.Sent.Bytes)
	return exitOK
}
