// Command pionperf measures pion/sctp throughput over UDP, as the
// baseline that benchcompare sets beside mobisctp. The client sends
// messages of one size on one ordered, reliable stream for a time, then
// shuts the association down gracefully; the server counts what arrives.
// Both use SCTP port 5000, as pion/sctp always does, and UDP sockets with
// 4 MiB buffers.
//
//	pionperf server [-listen 127.0.0.1:0] [-buffer BYTES]
//	pionperf client -connect 127.0.0.1:PORT [-size BYTES] [-time DUR] [-buffer BYTES]
//
// Each prints one JSON object (measure.Result) on stdout when done; the
// server announces its UDP port on stderr first.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
	"github.com/pion/logging"
	"github.com/pion/sctp"
)

// The client keeps between lowWater and highWater bytes queued in pion,
// the flow control pion's own examples use: Write never blocks, so
// without it the queue grows without bound.
const (
	highWater = 1 << 20
	lowWater  = highWater / 2
)

// shutdownTimeout bounds the client's graceful shutdown, which waits until
// everything queued has been acknowledged.
const shutdownTimeout = 30 * time.Second

func main() {
	measure.Main("pionperf", map[string]measure.Mode{"server": server, "client": client})
}

// server accepts one association and reads its first stream until the
// client shuts the association down. pion/sctp then closes the socket, and
// a read fails with net.ErrClosed; an ABORT fails it with another error.
func server(fs *flag.FlagSet, args []string) (measure.Result, error) {
	var f measure.ServerFlags
	f.Register(fs)
	_ = fs.Parse(args) // ExitOnError
	conn, err := f.ListenUDP()
	if err != nil {
		return measure.Result{}, err
	}
	defer conn.Close()
	a, err := sctp.ServerWithOptions(sctp.WithNetConn(&peerConn{UDPConn: conn}),
		sctp.WithLoggerFactory(logging.NewDefaultLoggerFactory()))
	if err != nil {
		return measure.Result{}, fmt.Errorf("handshake: %w", err)
	}
	defer a.Close()
	s, err := a.AcceptStream()
	if err != nil {
		return measure.Result{}, err
	}
	buf := make([]byte, 1<<16) // pion returns a whole message or an error
	var c measure.Counter
	for {
		n, err := s.Read(buf)
		if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
			return c.Result("server"), nil
		}
		if err != nil {
			return c.Result("server"), err
		}
		c.Add(1, n)
	}
}

// client sends for the -time, then shuts down.
func client(fs *flag.FlagSet, args []string) (measure.Result, error) {
	var f measure.ClientFlags
	f.Register(fs)
	_ = fs.Parse(args) // ExitOnError
	conn, err := f.DialUDP()
	if err != nil {
		return measure.Result{}, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := sctp.ClientContext(ctx, sctp.WithNetConn(conn),
		sctp.WithLoggerFactory(logging.NewDefaultLoggerFactory()))
	if err != nil {
		return measure.Result{}, fmt.Errorf("handshake: %w", err)
	}
	defer a.Close()
	s, err := a.OpenStream(0, sctp.PayloadTypeWebRTCBinary)
	if err != nil {
		return measure.Result{}, err
	}
	r, err := measure.SendFor(f.Time, f.Size, flowControlled(s, make([]byte, f.Size)))
	if err != nil {
		return r, err
	}
	ctx, cancel = context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := a.Shutdown(ctx); err != nil {
		return r, fmt.Errorf("shutdown: %w", err)
	}
	return r, nil
}

// flowControlled returns a send function that writes msg to s whenever
// fewer than highWater bytes are queued, and otherwise waits until pion
// reports that the queue drained to lowWater.
func flowControlled(s *sctp.Stream, msg []byte) measure.SendFunc {
	low := make(chan struct{}, 1)
	s.SetBufferedAmountLowThreshold(lowWater)
	s.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default: // a wake-up is already pending
		}
	})
	return func(ctx context.Context) (int, error) {
		for s.BufferedAmount() >= highWater {
			select {
			case <-low:
			case <-ctx.Done():
				return 0, nil
			}
		}
		if _, err := s.Write(msg); err != nil {
			return 0, err
		}
		return 1, nil
	}
}
