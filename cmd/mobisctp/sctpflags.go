package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/stack"
)

// Pool timers: pe and pu find a dead peer in a few seconds instead of the
// minutes of RFC 9260's defaults (RTO 1 s to 60 s, 10 retransmissions), as
// RSPLIB deployments tune them. A silent element is given up after about
// 0.2+0.4+0.8+1+1 s of retransmissions.
const (
	poolRTOMin          = 200 * time.Millisecond
	poolRTOMax          = time.Second
	poolPathMaxRetrans  = 3
	poolAssocMaxRetrans = 4
	poolHBInterval      = 5 * time.Second
)

// sctpFlags are the SCTP timer flags of pe and pu.
type sctpFlags struct {
	rtoMin, rtoMax              time.Duration
	pathMaxRetrans, assocMaxRtx int
	hbInterval                  time.Duration
}

func (s *sctpFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&s.rtoMin, "rto-min", poolRTOMin, "SCTP RTO.Min: the shortest retransmission timeout")
	fs.DurationVar(&s.rtoMax, "rto-max", poolRTOMax, "SCTP RTO.Max: the longest retransmission timeout")
	fs.IntVar(&s.pathMaxRetrans, "path-max-retrans", poolPathMaxRetrans, "SCTP Path.Max.Retrans: timeouts before a path counts as failed")
	fs.IntVar(&s.assocMaxRtx, "assoc-max-retrans", poolAssocMaxRetrans, "SCTP Association.Max.Retrans: timeouts in a row before the peer counts as gone")
	fs.DurationVar(&s.hbInterval, "hb-interval", poolHBInterval, "SCTP HB.interval: heartbeat `interval` on idle paths (negative: off)")
}

func (s *sctpFlags) check() error {
	switch {
	case s.rtoMin <= 0 || s.rtoMax <= 0:
		return fmt.Errorf("--rto-min %v, --rto-max %v: must be positive", s.rtoMin, s.rtoMax)
	case s.rtoMin > s.rtoMax:
		return fmt.Errorf("--rto-min %v: must not exceed --rto-max %v", s.rtoMin, s.rtoMax)
	case s.pathMaxRetrans < 1 || s.assocMaxRtx < 1:
		return fmt.Errorf("--path-max-retrans %d, --assoc-max-retrans %d: must be at least 1", s.pathMaxRetrans, s.assocMaxRtx)
	case s.hbInterval == 0:
		return fmt.Errorf("--hb-interval 0: give a positive interval, or a negative one to turn heartbeats off")
	}
	return nil
}

// apply sets the timers in cfg. The initial RTO is the largest the
// bounds allow up to RFC 9260's 1 s.
func (s *sctpFlags) apply(cfg *stack.Config) {
	cfg.RTOMin, cfg.RTOMax = s.rtoMin, s.rtoMax
	cfg.RTOInitial = min(max(s.rtoMin, time.Second/2), s.rtoMax)
	cfg.PathMaxRetrans, cfg.AssocMaxRetrans = s.pathMaxRetrans, s.assocMaxRtx
	cfg.HeartbeatInterval = s.hbInterval
}

// logLevels are the values of --log-level.
var logLevels = map[string]logging.LogLevel{
	"off": logging.LogLevelDisabled, "error": logging.LogLevelError, "warn": logging.LogLevelWarn,
	"info": logging.LogLevelInfo, "debug": logging.LogLevelDebug, "trace": logging.LogLevelTrace,
}

// logLevel is the --log-level flag: how much the libraries log to stderr.
type logLevel struct{ level logging.LogLevel }

// registerLogLevel adds --log-level with default def to fs.
func registerLogLevel(fs *flag.FlagSet, def logging.LogLevel) *logLevel {
	l := &logLevel{level: def}
	fs.Var(l, "log-level", "what the SCTP and RSerPool libraries log to stderr: `level` off, error, warn, info, debug or trace")
	return l
}

func (l *logLevel) Set(s string) error {
	level, ok := logLevels[strings.ToLower(s)]
	if !ok {
		return fmt.Errorf("%q: want off, error, warn, info, debug or trace", s)
	}
	l.level = level
	return nil
}

func (l *logLevel) String() string {
	if l == nil {
		return ""
	}
	for name, level := range logLevels {
		if level == l.level {
			return name
		}
	}
	return ""
}

// factory returns a logger factory writing to w at the chosen level.
func (l *logLevel) factory(w io.Writer) logging.LoggerFactory {
	f := logging.NewDefaultLoggerFactory()
	f.Writer = w
	f.DefaultLogLevel = l.level
	f.ScopeLevels = map[string]logging.LogLevel{} // only the flag decides, not PION_LOG_* variables
	return f
}
