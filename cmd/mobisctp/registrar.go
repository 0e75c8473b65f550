package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// registrarFlagValues are the values of the registrar command's flags.
type registrarFlagValues struct {
	listen               addrList
	udpPort              int
	keepAlive, kaTimeout time.Duration
	threshold            int
	announce             string
	announceInterval     time.Duration
	id                   uint64
	json                 bool
	announceAddr         netip.AddrPort // parsed from announce
	logs                 *logLevel
}

func (v *registrarFlagValues) register(fs *flag.FlagSet) {
	v.listen = addrList{addrs: []netip.Addr{loopback4}, port: registrar.DefaultPort}
	fs.Var(&v.listen, "listen", "local `addresses` and the SCTP port they share, as in 127.0.0.1,127.0.0.2:3863")
	fs.IntVar(&v.udpPort, "udp-port", registrar.DefaultUDPPort, "local UDP encapsulation `port` (0: ephemeral)")
	fs.DurationVar(&v.keepAlive, "keepalive", registrar.DefaultKeepAliveInterval, "Endpoint Keep-Alive `interval` for the elements registered here")
	fs.DurationVar(&v.kaTimeout, "keepalive-timeout", registrar.DefaultKeepAliveTimeout, "how long to wait for a Keep-Alive Ack before removing the element")
	fs.IntVar(&v.threshold, "unreachable-threshold", registrar.DefaultUnreachableThreshold, "Endpoint Unreachable `reports` that remove an element")
	fs.StringVar(&v.announce, "announce", "", "send Server Announces by UDP to `group:port`, as in "+wire.ASAPAnnounceAddr.String()+" (default off)")
	fs.DurationVar(&v.announceInterval, "announce-interval", registrar.DefaultAnnounceInterval, "mean `interval` between Server Announces")
	fs.Uint64Var(&v.id, "id", 0, "server `identifier`, decimal or 0x-prefixed hex (default random)")
	fs.BoolVar(&v.json, "json", false, "print one JSON object per event")
	v.logs = registerLogLevel(fs, logging.LogLevelWarn)
}

// check validates the values, naming the flag at fault, and parses
// --announce.
func (v *registrarFlagValues) check(fs *flag.FlagSet) error {
	switch {
	case v.keepAlive <= 0:
		return fmt.Errorf("--keepalive %v: must be positive", v.keepAlive)
	case v.kaTimeout <= 0:
		return fmt.Errorf("--keepalive-timeout %v: must be positive", v.kaTimeout)
	case v.threshold < 1:
		return fmt.Errorf("--unreachable-threshold %d: must be at least 1", v.threshold)
	case v.announceInterval <= 0:
		return fmt.Errorf("--announce-interval %v: must be positive", v.announceInterval)
	case v.id > 0xffffffff:
		return fmt.Errorf("--id %d: must fit in 32 bits", v.id)
	}
	if v.announce != "" {
		ap, err := parseAnnounceAddr(v.announce)
		if err != nil {
			return err
		}
		v.announceAddr = ap
	}
	return checkPort(fs, "udp-port", v.udpPort, 0)
}

// config returns the registrar configuration the flags describe.
func (v *registrarFlagValues) config(e *env) registrar.Config {
	cfg := registrar.DefaultConfig()
	cfg.Endpoint.LocalAddrs, cfg.Endpoint.Port, cfg.Endpoint.UDPPort = v.listen.addrs, v.listen.port, uint16(v.udpPort)
	cfg.Endpoint.EphemeralUDPPort = v.udpPort == 0
	cfg.ServerID = wire.ServerID(v.id)
	cfg.KeepAliveInterval, cfg.KeepAliveTimeout = v.keepAlive, v.kaTimeout
	cfg.UnreachableThreshold = v.threshold
	cfg.Announce, cfg.AnnounceInterval = v.announceAddr, v.announceInterval
	cfg.LoggerFactory = v.logs.factory(e.stderr)
	return cfg
}

// runRegistrar runs a registrar until the context is done, printing the
// handlespace's changes as they happen.
func runRegistrar(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp registrar", "[--listen ADDR[,ADDR...]:PORT] [--udp-port N] [--keepalive DUR] [--keepalive-timeout DUR] "+
		"[--unreachable-threshold N] [--announce GROUP:PORT] [--announce-interval DUR] [--id N] [--log-level L] [--json]")
	var v registrarFlagValues
	v.register(fs)
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := v.check(fs); err != nil {
		return usageError(fs, "%v", err)
	}
	r, err := registrar.Listen(v.config(e))
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	out := &reporter{w: e.stdout, json: v.json}
	out.event("listening", fmt.Sprintf("registrar $%08x listening on %s, SCTP port %d, UDP port %d",
		uint32(r.ServerID()), joinAddrs(r.LocalAddrs()), r.Port(), r.UDPPort()),
		map[string]any{"server": uint32(r.ServerID()), "addrs": addrStrings(r.LocalAddrs()), "port": r.Port(), "udp_port": r.UDPPort()})
	context.AfterFunc(ctx, func() { r.Close() })
	for ev := range r.Events() { // closed by Close, after the last removal
		reportRegistrarEvent(out, ev)
	}
	reportRegistrarStats(out, r.Stats())
	return exitOK
}

// reportRegistrarEvent prints a registration, a refusal or a removal.
func reportRegistrarEvent(out *reporter, ev registrar.Event) {
	text := fmt.Sprintf("%v %q/$%08x", ev.Type, ev.Handle, uint32(ev.ID))
	fields := map[string]any{"handle": ev.Handle, "id": uint32(ev.ID)}
	switch ev.Type {
	case registrar.EventRemoved:
		text += ": " + ev.Reason.String()
		fields["reason"] = ev.Reason.String()
	case registrar.EventRejected:
		text += ": " + ev.Cause.String()
		fields["cause"] = ev.Cause.String()
	default:
		el := ev.Element.PoolElement
		text += fmt.Sprintf(": %s, %s, life %v", transportText(el.UserTransport), policyText(el.Policy), lifeOf(el))
		fields["element"] = elementJSON(el)
	}
	if ev.From.IsValid() {
		text += ", from " + ev.From.String()
		fields["from"] = ev.From.String()
	}
	out.event(ev.Type.String(), text, fields)
}

// reportRegistrarStats prints the counters when the registrar stops.
func reportRegistrarStats(out *reporter, s registrar.Stats) {
	rm := s.Removals
	removed := rm.Deregistered + rm.KeepAliveTimeout + rm.Expired + rm.Unreachable + rm.Association
	out.event("stopped", fmt.Sprintf("stopped: %d registrations (%d refused), %d re-registrations, %d resolutions, %d keep-alives, %d removals",
		s.Registrations, s.RegistrationsRefused, s.Reregistrations, s.Resolutions, s.KeepAlivesSent, removed),
		map[string]any{"registrations": s.Registrations, "refused": s.RegistrationsRefused, "reregistrations": s.Reregistrations,
			"deregistrations": s.Deregistrations, "resolutions": s.Resolutions, "keepalives": s.KeepAlivesSent,
			"removals": map[string]uint64{"deregistered": rm.Deregistered, "keepalive_timeout": rm.KeepAliveTimeout,
				"expired": rm.Expired, "unreachable": rm.Unreachable, "association": rm.Association},
			"malformed": s.Malformed, "unrecognized": s.Unrecognized})
}
