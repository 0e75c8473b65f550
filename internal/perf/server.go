package perf

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// Server limits and defaults.
const (
	// DefaultPort is the SCTP port of a perf server, the one tsctp uses.
	DefaultPort = 5001
	// MaxStreams is the most streams a perf association uses in each
	// direction; the server offers and accepts this many.
	MaxStreams = 1024
)

// ServerConfig configures a perf server.
type ServerConfig struct {
	// Endpoint is the local side: addresses, SCTP port (0: ephemeral),
	// UDP port, pcapng tap. The stream limits become MaxStreams.
	Endpoint stack.Config
	// Echo sends every message back on its stream, with its PPID and
	// unordered flag.
	Echo bool
	// Once serves a single association, then Serve returns.
	Once   bool
	Output Output
	// OnReport, if set, receives every association's report after it was
	// printed. Calls may be concurrent.
	OnReport func(Report)
	// Script lists address changes to make on every association.
	Script []AddrAction
	// NoVerify hashes nothing, and in a reverse run sends the same bytes
	// in every message: ClientConfig.NoVerify for the server.
	NoVerify bool
}

// Server accepts associations and measures what they carry.
type Server struct {
	cfg ServerConfig
	ep  *stack.Endpoint
	con *console
}

// Listen opens the server's endpoint; Serve then accepts associations.
func Listen(cfg ServerConfig) (*Server, error) {
	ec := cfg.Endpoint
	ec.OutStreams, ec.MaxInStreams = MaxStreams, MaxStreams
	ep, err := stack.Listen(ec)
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, ep: ep, con: newConsole(cfg.Output)}, nil
}

// Port returns the SCTP port the server listens on.
func (s *Server) Port() uint16 { return s.ep.Port() }

// UDPPort returns the server's UDP encapsulation port.
func (s *Server) UDPPort() uint16 { return s.ep.UDPPort() }

// LocalAddrs returns the addresses the server listens on.
func (s *Server) LocalAddrs() []netip.Addr { return s.ep.LocalAddrs() }

// Close closes the endpoint, aborting any association still open.
func (s *Server) Close() error { return s.ep.Close() }

// Serve accepts associations and serves each until it ends, printing its
// report. It returns when ctx is done, after shutting down the open
// associations gracefully, or with Once after the first association.
func (s *Server) Serve(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for id := 1; ; id++ {
		a, err := s.ep.Accept(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if s.cfg.Once {
			s.serve(ctx, a, id)
			return nil
		}
		wg.Go(func() { s.serve(ctx, a, id) })
	}
}

// serve runs one association: it reads (and echoes) until the peer shuts
// down, then reports.
func (s *Server) serve(ctx context.Context, a *stack.Association, id int) {
	label := fmt.Sprintf("#%d", id)
	peer := a.RemoteAddr().String()
	s.con.event(label, time.Now(), "accepted "+peer)
	events := s.con.watch(label, a)
	// A stopped server closes its associations gracefully, so that both
	// sides still get their reports.
	defer context.AfterFunc(ctx, func() { a.Close() })()

	go runScript(ctx, a, s.cfg.Script, s.con, label)
	start := time.Now()
	var rxBytes atomic.Uint64
	received, sent := newFlow(&rxBytes, !s.cfg.NoVerify), newFlow(nil, !s.cfg.NoVerify)
	stopMeter := s.con.meter(ctx, label, &rxBytes)
	var echo *echoer
	if s.cfg.Echo {
		echo = &echoer{a: a, sent: sent, stopped: func(err error) {
			s.con.event(label, time.Now(), "echo stopped: "+err.Error())
		}}
	}
	var reverse *reverseSender
	// How reading ended is the association's Err, reported below.
	_ = readAll(a, func(part []byte, info stack.RecvInfo) {
		if reverse == nil && received.empty() && info.PPID == ReversePPID && info.EOR {
			out, _ := a.Streams()
			if cfg, ok := decodeReverse(part, out); ok {
				reverse = s.startReverse(ctx, a, cfg, label, &rxBytes)
				return
			}
		}
		received.add(info.Stream, part, info.EOR)
		if echo != nil {
			echo.part(part, info)
		}
	})
	if reverse != nil {
		<-reverse.done
		sent = reverse.c.sent
	}
	elapsed := time.Since(start)
	intervals := stopMeter()

	<-a.Done() // the final statistics exist once the association has ended
	<-events
	r := assocReport{role: "server", id: id, peer: peer, elapsed: elapsed,
		sent: sent, received: received, stats: a.Stats(), err: a.Err(), intervals: intervals}.build()
	s.con.report(r)
	if s.cfg.OnReport != nil {
		s.cfg.OnReport(r)
	}
}
