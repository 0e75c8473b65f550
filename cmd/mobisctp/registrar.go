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
	peers                peerList
	enrpPort             int
	enrpAnnounce         string
	enrpAnnounceAddr     netip.AddrPort // parsed from enrpAnnounce
	suggest              bool
	metrics              string
	keyFile              string
	keys                 registrarKeys  // read from keyFile
	metricsAddr          netip.AddrPort // parsed from metrics
	limits               registrarLimits
	logs                 *logLevel
}

// registrarLimits are the resource limits of the registrar command.
type registrarLimits struct {
	elements, perAssoc, perAddr, pools, sessions int
	maxLife                                      time.Duration
}

func (v *registrarFlagValues) register(fs *flag.FlagSet) {
	v.listen = addrList{port: registrar.DefaultPort}
	fs.Var(&v.listen, "listen", "local `addresses` and the SCTP port they share, as in 127.0.0.1,127.0.0.2:3863 (default every address of the host, port 3863)")
	fs.IntVar(&v.udpPort, "udp-port", registrar.DefaultUDPPort, "local UDP encapsulation `port` (0: ephemeral)")
	fs.DurationVar(&v.keepAlive, "keepalive", registrar.DefaultKeepAliveInterval, "Endpoint Keep-Alive `interval` for the elements registered here")
	fs.DurationVar(&v.kaTimeout, "keepalive-timeout", registrar.DefaultKeepAliveTimeout, "how long to wait for a Keep-Alive Ack before removing the element")
	fs.IntVar(&v.threshold, "unreachable-threshold", registrar.DefaultUnreachableThreshold, "Endpoint Unreachable `reports` that remove an element")
	fs.StringVar(&v.announce, "announce", "", "send Server Announces by UDP to `group:port`, as in "+wire.ASAPAnnounceAddr.String()+" (default off)")
	fs.DurationVar(&v.announceInterval, "announce-interval", registrar.DefaultAnnounceInterval, "mean `interval` between Server Announces")
	fs.Uint64Var(&v.id, "id", 0, "server `identifier`, decimal or 0x-prefixed hex (default random)")
	fs.BoolVar(&v.json, "json", false, "print one JSON object per event")
	fs.Var(&v.peers, "peer", "peer registrars' ENRP `addresses`, each with an optional port (default 9901), as in 192.0.2.1,192.0.2.2:9911; turns ENRP on")
	fs.IntVar(&v.enrpPort, "enrp-port", 0, "local ENRP SCTP and UDP `port` (default 9901 with --peer or --enrp-announce, else ENRP off)")
	fs.BoolVar(&v.suggest, "takeover-suggestion", false, "ask less loaded peers to take new elements over, and take those suggested to this registrar (draft-dreibholz-rserpool-enrp-takeover)")
	fs.StringVar(&v.enrpAnnounce, "enrp-announce", "", "send ENRP Presences to, and find peers by those heard on, `group:port`, as in "+wire.ENRPAnnounceAddr.String()+" (default off)")
	fs.StringVar(&v.keyFile, "key-file", "", "read keys from `file`: the ENRP key the registrars share (a line \"enrp HEXKEY\"; peers without it are refused) and pool element keys (lines \"element ID HEXKEY [POOL,...]\"; registrations without a key allowing their pool are refused) and pool user keys (lines \"user ID HEXKEY\"); see docs/registrar.md (default: no authentication)")
	fs.StringVar(&v.metrics, "metrics", "", "serve Prometheus metrics over HTTP at `addr:port`/metrics, as in 127.0.0.1:9100 (default off)")
	l := &v.limits
	fs.IntVar(&l.elements, "max-elements", registrar.DefaultMaxElements, "most pool `elements` in the handlespace")
	fs.IntVar(&l.perAssoc, "max-elements-per-assoc", registrar.DefaultMaxElementsPerAssoc, "most `elements` one ASAP association may register")
	fs.IntVar(&l.perAddr, "max-elements-per-addr", registrar.DefaultMaxElementsPerAddr, "most `elements` the associations from one peer address may register")
	fs.IntVar(&l.pools, "max-pools", registrar.DefaultMaxPools, "most `pools` in the handlespace")
	fs.IntVar(&l.sessions, "max-assocs", registrar.DefaultMaxSessions, "most ASAP `associations` served at once")
	fs.DurationVar(&l.maxLife, "max-lifetime", registrar.DefaultMaxLifetime, "longest registration life stored; longer ones are clamped")
	v.logs = registerLogLevel(fs, logging.LogLevelWarn)
}

// check names the first limit flag that is not positive.
func (l *registrarLimits) check() error {
	for _, f := range []struct {
		name string
		bad  bool
	}{
		{"max-elements", l.elements < 1}, {"max-elements-per-assoc", l.perAssoc < 1}, {"max-elements-per-addr", l.perAddr < 1},
		{"max-pools", l.pools < 1}, {"max-assocs", l.sessions < 1}, {"max-lifetime", l.maxLife <= 0},
	} {
		if f.bad {
			return fmt.Errorf("--%s: must be positive", f.name)
		}
	}
	return nil
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
	if err := v.limits.check(); err != nil {
		return err
	}
	if v.announce != "" {
		ap, err := parseAnnounceAddr(v.announce)
		if err != nil {
			return err
		}
		v.announceAddr = ap
	}
	if v.enrpAnnounce != "" {
		ap, err := netip.ParseAddrPort(v.enrpAnnounce)
		if err != nil || ap.Port() == 0 {
			return fmt.Errorf("--enrp-announce %q: want an address and a port, as in %v", v.enrpAnnounce, wire.ENRPAnnounceAddr)
		}
		v.enrpAnnounceAddr = ap
	}
	if v.keyFile != "" {
		keys, err := readKeyFile(v.keyFile)
		if err != nil {
			return err
		}
		v.keys = keys
	}
	if v.metrics != "" {
		ap, err := netip.ParseAddrPort(v.metrics)
		if err != nil {
			return fmt.Errorf("--metrics %q: want an address and a port, as in 127.0.0.1:9100", v.metrics)
		}
		v.metricsAddr = ap
	}
	if err := checkPort(fs, "enrp-port", v.enrpPort, 0); err != nil {
		return err
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
	l := &v.limits
	cfg.MaxElements, cfg.MaxElementsPerAssoc, cfg.MaxElementsPerAddr = l.elements, l.perAssoc, l.perAddr
	cfg.MaxPools, cfg.MaxSessions, cfg.MaxLifetime = l.pools, l.sessions, l.maxLife
	cfg.ENRP.Port, cfg.ENRP.Peers, cfg.ENRP.Announce = uint16(v.enrpPort), v.peers, v.enrpAnnounceAddr
	cfg.ENRP.SuggestTakeover, cfg.ENRP.HonourSuggestions = v.suggest, v.suggest
	cfg.ENRP.Key, cfg.ElementKeys, cfg.UserKeys = v.keys.enrp, v.keys.elements, v.keys.users
	if cfg.ENRP.Port == 0 && (len(v.peers) > 0 || v.enrpAnnounceAddr.IsValid()) {
		cfg.ENRP.Port = registrar.DefaultENRPPort
	}
	cfg.LoggerFactory = v.logs.factory(e.stderr)
	return cfg
}

// runRegistrar runs a registrar until the context is done, printing the
// handlespace's changes as they happen.
func runRegistrar(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp registrar", "[--listen ADDR[,ADDR...]:PORT] [--udp-port N] [--keepalive DUR] [--keepalive-timeout DUR] "+
		"[--unreachable-threshold N] [--announce GROUP:PORT] [--announce-interval DUR] [--id N] [--peer ADDR[:PORT],...] [--enrp-port N] [--enrp-announce GROUP:PORT] [--takeover-suggestion] [--key-file FILE] [--metrics ADDR:PORT] [--log-level L] [--json] "+
		"[--max-elements N] [--max-elements-per-assoc N] [--max-elements-per-addr N] [--max-pools N] [--max-assocs N] [--max-lifetime DUR]")
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
	text := fmt.Sprintf("registrar $%08x listening on %s, SCTP port %d, UDP port %d",
		uint32(r.ServerID()), joinAddrs(r.LocalAddrs()), r.Port(), r.UDPPort())
	fields := map[string]any{"server": uint32(r.ServerID()), "addrs": addrStrings(r.LocalAddrs()), "port": r.Port(), "udp_port": r.UDPPort()}
	if v.metricsAddr.IsValid() {
		at, stop, err := serveMetrics(r, v.metricsAddr)
		if err != nil {
			r.Close()
			fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
			return exitFail
		}
		defer stop()
		text += fmt.Sprintf(", metrics on http://%v/metrics", at)
		fields["metrics"] = at.String()
	}
	out := &reporter{w: e.stdout, json: v.json}
	out.event("listening", text, fields)
	if port := r.ENRPPort(); port != 0 {
		out.event("enrp", fmt.Sprintf("ENRP on SCTP and UDP port %d, peers %s", port, v.peers.String()),
			map[string]any{"enrp_port": port, "peers": v.peers.String()})
	}
	context.AfterFunc(ctx, func() { r.Close() })
	for ev := range r.Events() { // closed by Close, after the last removal
		reportRegistrarEvent(out, ev)
	}
	reportRegistrarStats(out, r.Stats())
	return exitOK
}

// maxEventAddrs is the most user transport addresses an event lists, and
// maxEventHandle the most bytes of a pool handle: peers choose both, and
// must not be able to write lines of many kilobytes.
const maxEventAddrs, maxEventHandle = 8, 64

// reportRegistrarEvent prints a registration, a refusal or a removal.
func reportRegistrarEvent(out *reporter, ev registrar.Event) {
	text := fmt.Sprintf("%v %s/$%08x", ev.Type, registrar.Quote(ev.Handle), uint32(ev.ID))
	fields := map[string]any{"handle": ev.Handle[:min(len(ev.Handle), maxEventHandle)], "id": uint32(ev.ID)}
	if len(ev.Handle) > maxEventHandle {
		fields["handle_len"] = len(ev.Handle)
	}
	switch ev.Type {
	case registrar.EventRemoved:
		text += ": " + ev.Reason.String()
		fields["reason"] = ev.Reason.String()
	case registrar.EventRejected:
		text += ": " + ev.Cause.String()
		fields["cause"] = ev.Cause.String()
	default:
		el := ev.Element.PoolElement
		more := max(len(el.UserTransport.Addrs)-maxEventAddrs, 0)
		el.UserTransport.Addrs = el.UserTransport.Addrs[:len(el.UserTransport.Addrs)-more]
		text += fmt.Sprintf(": %s, %s, life %v", transportText(el.UserTransport), policyText(el.Policy), lifeOf(el))
		fields["element"] = elementJSON(el)
		if more > 0 {
			text += fmt.Sprintf(" (%d more addresses)", more)
			fields["more_addrs"] = more
		}
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
	rf := s.Refused
	out.event("stopped", fmt.Sprintf("stopped: %d registrations (%d refused), %d re-registrations, %d resolutions, %d keep-alives, %d removals, "+
		"refused: %d claims on others' elements, %d over limits, %d associations",
		s.Registrations, s.RegistrationsRefused, s.Reregistrations, s.Resolutions, s.KeepAlivesSent, removed,
		rf.Ownership, rf.Elements+rf.Pools+rf.ElementsPerAssoc+rf.ElementsPerAddr, rf.Sessions),
		map[string]any{"registrations": s.Registrations, "refused": s.RegistrationsRefused, "reregistrations": s.Reregistrations,
			"deregistrations": s.Deregistrations, "resolutions": s.Resolutions, "keepalives": s.KeepAlivesSent,
			"removals": map[string]uint64{"deregistered": rm.Deregistered, "keepalive_timeout": rm.KeepAliveTimeout,
				"expired": rm.Expired, "unreachable": rm.Unreachable, "association": rm.Association},
			"malformed": s.Malformed, "unrecognized": s.Unrecognized,
			"refused_by": map[string]uint64{"ownership": rf.Ownership, "max_elements": rf.Elements, "max_pools": rf.Pools,
				"max_elements_per_assoc": rf.ElementsPerAssoc, "max_elements_per_addr": rf.ElementsPerAddr, "max_assocs": rf.Sessions}})
}
