package main

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
)

// cellSlack is how long a cell may take beyond its sending time: start-up,
// draining the queues and a graceful shutdown (mobisctp's perf client
// waits up to 30 s for it).
const cellSlack = 60 * time.Second

// cell is the outcome of one implementation at one message size.
type cell struct {
	key, name string
	size      int
	received  measure.Result // by the server
	sent      measure.Result // by the client
	cpu       time.Duration  // user and system CPU of both processes
	argv      [2][]string    // the server's and the client's command line
	env       []string
	err       error
}

// runCell runs im's server and client for one cell, one after the other,
// and stops both before it returns, whatever happened.
func runCell(ctx context.Context, im *impl, size int, d time.Duration) cell {
	c := cell{key: im.key, name: im.name, size: size, env: im.env}
	ctx, cancel := context.WithTimeout(ctx, d+cellSlack)
	defer cancel()
	args := cellArgs{size: size, time: d}
	if im.fixedPorts {
		ports, err := freeUDPPorts(2)
		if err != nil {
			c.err = err
			return c
		}
		args.serverPort, args.clientPort = ports[0], ports[1]
	}

	c.argv[0] = im.server(args)
	srv, err := start(ctx, im.name+" server", c.argv[0], im.env, im.serverCPUs)
	if err != nil {
		c.err = err
		return c
	}
	defer srv.stop()
	if err := awaitReady(ctx, im, srv, &args); err != nil {
		c.err = err
		return c
	}

	c.argv[1] = im.client(args)
	cli, err := runClient(ctx, im, c.argv[1])
	if cli != nil {
		defer cli.stop()
	}
	if err != nil {
		c.err = err
		return c
	}
	if im.resultLine != nil {
		_, err = srv.await(ctx, srv.stdout, im.resultLine)
		srv.stop()
	} else {
		err = srv.wait(ctx)
	}
	if err != nil {
		c.err = err
		return c
	}

	c.cpu = srv.cpu() + cli.cpu()
	if c.received, err = im.parseServer(srv.stdout.Bytes()); err != nil {
		c.err = fmt.Errorf("%s server: %w", im.name, err)
	} else if c.sent, err = im.parseClient(cli.stdout.Bytes()); err != nil {
		c.err = fmt.Errorf("%s client: %w", im.name, err)
	}
	return c
}

// clientAttempts is how often runClient starts a client whose server was
// not ready.
const clientAttempts = 3

// runClient runs the client until it exits, and starts it again after a
// short pause if it failed because the server was not ready (im.notReady).
// The returned child, if any, has exited or must be stopped.
func runClient(ctx context.Context, im *impl, argv []string) (*child, error) {
	for attempt := 1; ; attempt++ {
		cli, err := start(ctx, im.name+" client", argv, im.env, im.clientCPUs)
		if err != nil {
			return nil, err
		}
		err = cli.wait(ctx)
		if err == nil || im.notReady == nil || attempt == clientAttempts || !im.notReady.Match(cli.stderr.Bytes()) {
			return cli, err
		}
		select {
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		case <-ctx.Done():
			return cli, ctx.Err()
		}
	}
}

// awaitReady waits until the server's socket is open. A server that picks
// an ephemeral port says so on stderr, and args gets it; with fixed ports
// the harness watches the port become taken.
func awaitReady(ctx context.Context, im *impl, srv *child, args *cellArgs) error {
	if !im.fixedPorts {
		m, err := srv.await(ctx, srv.stderr, measure.ReadyPattern)
		if err != nil {
			return err
		}
		args.serverPort, err = strconv.Atoi(m[1])
		return err
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !portTaken(args.serverPort) {
		select {
		case <-tick.C:
		case <-srv.done:
			if err := srv.failure(); err != nil {
				return err
			}
			return fmt.Errorf("%s exited before opening UDP port %d", srv.name, args.serverPort)
		case <-ctx.Done():
			return fmt.Errorf("%s: waiting for UDP port %d: %w", srv.name, args.serverPort, ctx.Err())
		}
	}
	return nil
}

// freeUDPPorts returns n distinct UDP ports that were free on every local
// IPv4 address a moment ago.
func freeUDPPorts(n int) ([]int, error) {
	ports := make([]int, n)
	for i := range ports {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{})
		if err != nil {
			return nil, err
		}
		defer c.Close() // held until all are chosen, so that they differ
		ports[i] = c.LocalAddr().(*net.UDPAddr).Port
	}
	return ports, nil
}
