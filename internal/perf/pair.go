package perf

import (
	"context"
	"errors"

	"github.com/mobisctp/mobisctp/stack"
)

// RunPair runs a server for one association and a client against it, in
// this process, and returns both reports. The client's Remote is set to the
// server's addresses and ports. The server prints as cc.Output says, on the
// same screen as the client (its own Output is ignored); only the client
// prints interval lines.
func RunPair(ctx context.Context, sc ServerConfig, cc ClientConfig) (client, server Report, err error) {
	sc.Once = true
	cc.Output.screen = newScreen(cc.Output)
	sc.Output = cc.Output
	sc.Output.Interval = -1             // the client's lines are the run's
	sc.Endpoint.EphemeralUDPPort = true // the client is told the port
	report := sc.OnReport
	sc.OnReport = func(r Report) {
		server = r
		if report != nil {
			report(r)
		}
	}
	srv, err := Listen(sc)
	if err != nil {
		return client, server, err
	}
	defer srv.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()

	cc.Remote = stack.Remote{Addrs: srv.LocalAddrs(), Port: srv.Port(), UDPPort: srv.UDPPort()}
	client, cerr := RunClient(ctx, cc)
	if cerr != nil && client.Association == 0 {
		cancel() // no association: the server would wait for one forever
	}
	serr := <-served
	return client, server, errors.Join(cerr, serr)
}
