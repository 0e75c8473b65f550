package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

func runPE(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp pe", registrarUsage+
		" --pool HANDLE --service echo|discard|daytime|chargen [--policy NAME[:ARGS]] [--listen ADDR:PORT] [--rereg-interval DUR] [--key-file FILE] [SCTP timer flags] [--log-level L] [--json]")
	var regs registrarFlags
	regs.register(fs)
	var timers sctpFlags
	timers.register(fs)
	logs := registerLogLevel(fs, logging.LogLevelDisabled)
	pool := fs.String("pool", "", "pool `handle` to register under (required)")
	svcName := fs.String("service", "", "the `service` to offer: echo, discard, daytime or chargen (required)")
	policyText := fs.String("policy", "RoundRobin", "pool member selection `policy` and its values, as in WeightedRoundRobin:3 ("+
		strings.Join(asap.PolicyNames(), ", ")+")")
	var listen addrList
	fs.Var(&listen, "listen", "local `addresses` and the port they share, both as SCTP and as UDP port (port 0: picked at random; default every address of the host)")
	rereg := fs.Duration("rereg-interval", asap.DefaultReregInterval, "time between registrations; they last three times as long")
	jsonOut := fs.Bool("json", false, "print one JSON object per event")
	keyFile := fs.String("key-file", "", "sign with the element key in `file`, one line \"element ID HEXKEY [POOL,...]\" as in the registrar's key file (default: no key)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	svc, pol, err := checkPEFlags(fs, &regs, *pool, *svcName, *policyText, *rereg)
	if err == nil {
		err = timers.check()
	}
	var key registrar.ElementKey
	if err == nil && *keyFile != "" {
		key, err = readElementKey(*keyFile, *pool)
	}
	if err != nil {
		return usageError(fs, "%v", err)
	}

	if err := regs.listen(); err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer regs.close()
	cfg := stack.Config{LocalAddrs: peAddrs(listen.addrs, regs.list), Port: listen.port, LoggerFactory: logs.factory(e.stderr)}
	timers.apply(&cfg)
	ep, err := keyedEndpoint(cfg, key.ID, key.Key, asap.ElementEndpoint)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer ep.Close()
	el, err := asap.NewElement(ep, asap.ElementConfig{Handle: wire.PoolHandle(*pool), Registrars: regs.remotes(), Announces: regs.announces,
		Policy: pol, ReregInterval: *rereg, KeyID: key.ID})
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	out := &reporter{w: e.stdout, json: *jsonOut}
	out.event("listening", fmt.Sprintf("pool element $%08x of pool %q: %s service on %s port %d, policy %s", uint32(el.ID()), *pool, *svcName,
		joinAddrs(ep.LocalAddrs()), ep.Port(), *policyText),
		map[string]any{"id": uint32(el.ID()), "pool": *pool, "service": *svcName, "addrs": addrStrings(ep.LocalAddrs()), "port": ep.Port(), "policy": *policyText})
	printed := printElementEvents(el, out)
	sessions := serveElement(ctx, el, svc, out)
	el.Close() // deregister first, so that no pool user picks the element meanwhile
	sessions.Wait()
	<-printed
	return exitOK
}

// checkPEFlags checks the pe flags, naming the one at fault, and returns
// the service and the policy.
func checkPEFlags(fs *flag.FlagSet, regs *registrarFlags, pool, svcName, policyText string, rereg time.Duration) (service, wire.Policy, error) {
	if err := regs.check(fs); err != nil {
		return nil, wire.Policy{}, err
	}
	svc, known := services[svcName]
	switch {
	case pool == "":
		return nil, wire.Policy{}, fmt.Errorf("--pool is required")
	case !known:
		return nil, wire.Policy{}, fmt.Errorf("--service %q: want echo, discard, daytime or chargen", svcName)
	case rereg <= 0:
		return nil, wire.Policy{}, fmt.Errorf("--rereg-interval %v: must be positive", rereg)
	}
	pol, err := asap.ParsePolicy(policyText)
	if err != nil {
		return nil, wire.Policy{}, fmt.Errorf("--policy: %v", err)
	}
	return svc, pol, nil
}

// printElementEvents prints the element's registration events until Close;
// the channel returned is closed after the last one.
func printElementEvents(el *asap.Element, out *reporter) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range el.Events() {
			f := map[string]any{"id": uint32(el.ID())}
			if len(ev.Registrar.Addrs) > 0 {
				f["registrar"] = netip.AddrPortFrom(ev.Registrar.Addrs[0], ev.Registrar.Port).String()
			}
			if ev.Err != nil {
				f["error"] = ev.Err.Error()
			}
			out.event(ev.Type.String(), ev.String(), f)
		}
	}()
	return done
}

// serveElement runs svc for every pool user's association until ctx is
// done. The sessions see ctx too: they shut their associations down, and
// the group returned waits for that.
func serveElement(ctx context.Context, el *asap.Element, svc service, out *reporter) *sync.WaitGroup {
	sessions := new(sync.WaitGroup)
	for {
		c, err := el.Accept(ctx)
		if err != nil {
			return sessions
		}
		user, id := c.Association().RemoteAddr().String(), uint32(el.ID())
		out.event("session", fmt.Sprintf("$%08x: session from %s", id, user), map[string]any{"id": id, "user": user})
		sessions.Go(func() {
			defer c.Close()
			svc(ctx, c, func(name, text string) {
				out.event(name, fmt.Sprintf("$%08x: %s (session from %s)", id, text, user), map[string]any{"id": id, "user": user, "detail": text})
			})
		})
	}
}

// service serves one pool user's session until it ends; note reports what
// the pool user should see in the element's output.
type service func(ctx context.Context, c *asap.UserConn, note func(event, text string))

// services are the classic ones (RFC 862, 863, 867, 864), as RSPLIB's
// rspserver offers them.
var services = map[string]service{
	"echo":    serveEcho,
	"discard": serveDiscard,
	"daytime": serveDaytime,
	"chargen": serveChargen,
}

// serveEcho sends every message back, and after each a Cookie with the
// number of messages echoed so far in the session: the element that takes
// over after a failover continues the count from the user's Cookie Echo.
func serveEcho(ctx context.Context, c *asap.UserConn, note func(event, text string)) {
	echoed := 0
	for {
		m, err := c.Recv(ctx)
		if err != nil {
			return
		}
		switch m.Type {
		case asap.MessageCookieEcho:
			if n, ok := parseEchoCookie(m.Data); ok {
				echoed = n
				note("restored", fmt.Sprintf("cookie echo: session state restored, %d messages echoed before the failover", n))
			}
		case asap.MessageData:
			if c.Send(ctx, m.Data, stack.SendInfo{Stream: m.Stream, PPID: m.PPID}) != nil {
				return
			}
			echoed++
			if c.SendCookie(ctx, echoCookie(echoed)) != nil {
				return
			}
		}
	}
}

// echoCookie is the echo service's session state; parseEchoCookie reads it
// back.
func echoCookie(echoed int) []byte { return fmt.Appendf(nil, "echoed=%d", echoed) }

func parseEchoCookie(b []byte) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "echoed="))
	return n, err == nil && n >= 0 && strings.HasPrefix(string(b), "echoed=")
}

// serveDiscard reads and drops everything.
func serveDiscard(ctx context.Context, c *asap.UserConn, _ func(event, text string)) {
	for {
		if _, err := c.Recv(ctx); err != nil {
			return
		}
	}
}

// serveDaytime sends the date and time and ends the session.
func serveDaytime(ctx context.Context, c *asap.UserConn, _ func(event, text string)) {
	c.Send(ctx, []byte(time.Now().Format(time.RFC1123)), stack.SendInfo{})
}

// chargenLine is the length of a character generator line (RFC 864).
const chargenLine = 72

// serveChargen sends lines of the rotating printable-character pattern of
// RFC 864 until the session ends, as fast as flow control lets it, and
// reads (and drops) what the user sends meanwhile.
func serveChargen(ctx context.Context, c *asap.UserConn, note func(event, text string)) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		serveDiscard(ctx, c, note)
		cancel()
	}()
	const first, n = ' ', '~' - ' ' + 1 // the 95 printable ASCII characters
	line := make([]byte, chargenLine)
	for start := 0; ; start = (start + 1) % n {
		for i := range line {
			line[i] = byte(first + (start+i)%n)
		}
		if c.Send(ctx, line, stack.SendInfo{}) != nil {
			return
		}
	}
}

// registrarFlags is --registrar, --announce and --registrar-udp-port,
// which pe and pu share: registrars come from the list, from Server
// Announces, or both.
type registrarFlags struct {
	list     registrarList
	announce string
	udpPort  int

	announceAddr netip.AddrPort  // parsed from announce by check
	announces    *asap.Announces // started by listen
}

// registrarUsage is the synopsis of the flags.
const registrarUsage = "{--registrar ADDR[:PORT][,...] | --announce GROUP:PORT} [--registrar-udp-port N]"

func (r *registrarFlags) register(fs *flag.FlagSet) {
	r.registerList(fs)
	fs.StringVar(&r.announce, "announce", "", "find registrars by the Server Announces they send to `group:port`, as in "+
		wire.ASAPAnnounceAddr.String()+", or to a local address and port; required unless --registrar is given")
}

// registerList adds --registrar and --registrar-udp-port, which hsdump
// shares with pe and pu.
func (r *registrarFlags) registerList(fs *flag.FlagSet) {
	fs.Var(&r.list, "registrar", fmt.Sprintf("`registrars`, in order of preference, as HOST[:SCTP-PORT],... (port %d if omitted; "+
		"a name stands for every address it has)", wire.PortASAP))
	fs.IntVar(&r.udpPort, "registrar-udp-port", stack.DefaultUDPPort, "the registrars' UDP encapsulation `port`, listed or announced")
}

func (r *registrarFlags) check(fs *flag.FlagSet) error {
	if len(r.list) == 0 && r.announce == "" {
		return fmt.Errorf("--registrar or --announce is required")
	}
	if r.announce != "" {
		ap, err := parseAnnounceAddr(r.announce)
		if err != nil {
			return err
		}
		r.announceAddr = ap
	}
	return checkPort(fs, "registrar-udp-port", r.udpPort, 1)
}

// listen starts listening for Server Announces if --announce asks for it.
func (r *registrarFlags) listen() error {
	if !r.announceAddr.IsValid() {
		return nil
	}
	a, err := asap.ListenAnnounces(asap.AnnounceConfig{Addr: r.announceAddr, UDPPort: uint16(r.udpPort)})
	r.announces = a
	return err
}

// close stops listening for Server Announces, after the element or user
// that used them has closed.
func (r *registrarFlags) close() {
	if r.announces != nil {
		r.announces.Close()
	}
}

// describe names the registrars for people: the list, then the announce
// address.
func (r *registrarFlags) describe() string {
	var parts []string
	if len(r.list) > 0 {
		parts = append(parts, "registrars "+r.list.String())
	}
	if r.announceAddr.IsValid() {
		parts = append(parts, "registrars announced to "+r.announceAddr.String())
	}
	return strings.Join(parts, " and ")
}

// nearby returns an address on the registrars' network: the first one
// listed, else the address Server Announces arrive at.
func (r *registrarFlags) nearby() netip.Addr {
	if len(r.list) > 0 {
		return r.list[0].addrs[0]
	}
	return r.announceAddr.Addr()
}

// remotes returns the registrars to dial.
func (r *registrarFlags) remotes() []stack.Remote {
	out := make([]stack.Remote, len(r.list))
	for i, reg := range r.list {
		out[i] = stack.Remote{Addrs: reg.addrs, Port: reg.port, UDPPort: uint16(r.udpPort)}
	}
	return out
}

// registrarList is a flag value listing registrars, each an address or a
// host name with an optional SCTP port: "127.0.0.1:3863,[::1],reg.example".
// A name stands for one registrar with every address it has (multi-homed).
// Repeating the flag adds to the list.
type registrarList []registrarAddr

// registrarAddr is one registrar of a registrarList.
type registrarAddr struct {
	addrs []netip.Addr
	port  uint16
}

// peAddrs returns --listen or, without it, the addresses an element can
// register with the first registrar listed (every address of the host
// when there is none): an element registers every address it listens on,
// and a registrar refuses addresses its association with the element
// does not have. Toward a registrar on loopback that is loopback; toward
// one elsewhere, the host's other addresses of its family, which the
// association announces (its loopback addresses it does not).
func peAddrs(listen []netip.Addr, regs registrarList) []netip.Addr {
	if len(listen) > 0 || len(regs) == 0 || len(regs[0].addrs) == 0 {
		return listen
	}
	reg := regs[0].addrs[0].Unmap()
	if reg.IsLoopback() {
		return localAddrsNear(reg)
	}
	if addrs := routableAddrs(reg.Is4()); len(addrs) > 0 {
		return addrs
	}
	return localAddrsNear(reg)
}

// routableAddrs lists the host's addresses of one family that a peer
// elsewhere can reach: no loopback, no IPv6 link-local (it needs a zone).
func routableAddrs(v4 bool) []netip.Addr {
	ifAddrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var out []netip.Addr
	for _, ia := range ifAddrs {
		ipn, ok := ia.(*net.IPNet)
		if !ok {
			continue
		}
		a, ok := netip.AddrFromSlice(ipn.IP)
		if a = a.Unmap(); !ok || a.Is4() != v4 || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsMulticast() {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (l *registrarList) Set(s string) error {
	for el := range strings.SplitSeq(s, ",") {
		addrs, port, err := parseHostMaybePort(strings.TrimSpace(el))
		switch {
		case err != nil:
			return err
		case slices.ContainsFunc(addrs, netip.Addr.IsUnspecified):
			return fmt.Errorf("%q: a registrar needs a real address", el)
		case port == 0:
			return fmt.Errorf("%q: the SCTP port must not be 0", el)
		case port < 0:
			port = wire.PortASAP
		}
		*l = append(*l, registrarAddr{addrs: addrs, port: uint16(port)})
	}
	return nil
}

func (l *registrarList) String() string {
	if l == nil {
		return ""
	}
	parts := make([]string, len(*l))
	for i, reg := range *l {
		parts[i] = netip.AddrPortFrom(reg.addrs[0], reg.port).String()
	}
	return strings.Join(parts, ",")
}

// reporter prints events as text lines, or with --json as one JSON object
// per line. Its methods are safe for concurrent use.
type reporter struct {
	w    io.Writer
	json bool
	// start, when set, makes times relative to it: "+1.234s" in text, a
	// number of seconds "t" in JSON.
	start time.Time
	mu    sync.Mutex
}

// event prints one event: text for people, or fields with "event": name
// and the time for --json.
func (r *reporter) event(name, text string, fields map[string]any) {
	r.eventAt(time.Now(), name, text, fields)
}

// eventAt prints an event that happened at now.
func (r *reporter) eventAt(now time.Time, name, text string, fields map[string]any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.json {
		obj := map[string]any{"event": name}
		if r.start.IsZero() {
			obj["time"] = now.Format(time.RFC3339Nano)
		} else {
			obj["t"] = now.Sub(r.start).Seconds()
		}
		maps.Copy(obj, fields)
		b, err := json.Marshal(obj)
		if err != nil {
			b = fmt.Appendf(nil, `{"event":"error","error":%q}`, err.Error())
		}
		r.w.Write(append(b, '\n'))
		return
	}
	if r.start.IsZero() {
		fmt.Fprintf(r.w, "%s  %s\n", now.Format("15:04:05.000"), text)
		return
	}
	fmt.Fprintf(r.w, "%+8.3fs  %s\n", now.Sub(r.start).Seconds(), text)
}

// elementFields describes a pool element for JSON output.
func elementFields(e wire.PoolElement) map[string]any {
	f := map[string]any{"id": uint32(e.ID)}
	if t := e.UserTransport; len(t.Addrs) > 0 {
		f["addr"] = netip.AddrPortFrom(t.Addrs[0], t.Port).String()
	}
	return f
}
