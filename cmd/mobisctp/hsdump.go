package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strings"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// runHsdump prints a registrar's handlespace, which it reads as a peer
// registrar would, with ENRP Handle Table Requests on the registrar's ASAP
// port (see package registrar).
func runHsdump(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "mobisctp hsdump", "[--registrar ADDR[:PORT][,...]] [--registrar-udp-port N] [--timeout DUR] [--log-level L] [--json]")
	var regs registrarFlags
	regs.registerList(fs)
	timeout := fs.Duration("timeout", 10*time.Second, "give up after this `duration`")
	logs := registerLogLevel(fs, logging.LogLevelDisabled)
	jsonOut := fs.Bool("json", false, "print the table as one JSON object")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if len(regs.list) == 0 {
		regs.list = registrarList{{addrs: []netip.Addr{loopback4}, port: registrar.DefaultPort}}
	}
	if err := checkHsdumpFlags(fs, &regs, *timeout); err != nil {
		return usageError(fs, "%v", err)
	}

	remotes := regs.remotes()
	ep, err := stack.NewEndpoint(stack.Config{LocalAddrs: localAddrs(remotes), LoggerFactory: logs.factory(e.stderr)})
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	defer ep.Close()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	t, remote, err := fetchFirst(ctx, ep, remotes)
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	peers, perr := registrar.FetchPeers(ctx, ep, remote)
	if perr != nil {
		fmt.Fprintf(e.stderr, "%s: peer table: %v\n", fs.Name(), perr)
	}
	if *jsonOut {
		j := tableJSON(t)
		j["peers"] = peersJSON(peers)
		j["checksums"] = checksumsJSON(t.Checksums())
		err = json.NewEncoder(e.stdout).Encode(j)
	} else {
		printTable(e.stdout, t)
		printChecksums(e.stdout, t.Checksums())
		printPeers(e.stdout, peers)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "%s: %v\n", fs.Name(), err)
		return exitFail
	}
	return exitOK
}

// checkHsdumpFlags checks the hsdump flags, naming the one at fault.
func checkHsdumpFlags(fs *flag.FlagSet, regs *registrarFlags, timeout time.Duration) error {
	if timeout <= 0 {
		return fmt.Errorf("--timeout %v: must be positive", timeout)
	}
	return checkPort(fs, "registrar-udp-port", regs.udpPort, 1)
}

// fetchFirst reads the handle table of the first registrar that answers,
// sharing ctx's time among them; the error names each one tried.
func fetchFirst(ctx context.Context, ep *stack.Endpoint, remotes []stack.Remote) (registrar.Table, stack.Remote, error) {
	var errs []string
	for i, r := range remotes {
		deadline, _ := ctx.Deadline()
		rctx, cancel := context.WithTimeout(ctx, time.Until(deadline)/time.Duration(len(remotes)-i))
		t, err := registrar.FetchTable(rctx, ep, r)
		cancel()
		if err == nil {
			return t, r, nil
		}
		errs = append(errs, strings.TrimPrefix(err.Error(), "sctp: "))
		if ctx.Err() != nil {
			break
		}
	}
	return registrar.Table{}, stack.Remote{}, fmt.Errorf("no registrar answered: %s", strings.Join(errs, "; "))
}

// printTable prints t for people: a line per pool, then a line per
// element.
func printTable(w io.Writer, t registrar.Table) {
	fmt.Fprintf(w, "registrar $%08x: %d pools, %d elements\n", uint32(t.Server), len(t.Pools), t.Elements())
	for _, p := range t.Pools {
		fmt.Fprintf(w, "pool %q: %v, %d elements\n", p.Handle, p.Policy, len(p.Elements))
		for _, el := range p.Elements {
			fmt.Fprintf(w, "  $%08x  %s  %s  home $%08x  life %v", uint32(el.ID), transportText(el.UserTransport),
				policyText(el.Policy), uint32(el.HomeServer), lifeOf(el.PoolElement))
			if el.ASAPTransport.Type != 0 {
				fmt.Fprintf(w, "  asap %s", transportText(el.ASAPTransport))
			}
			fmt.Fprintln(w)
		}
	}
}

// tableJSON is the JSON form of a handle table.
func tableJSON(t registrar.Table) map[string]any {
	pools := make([]map[string]any, len(t.Pools))
	for i, p := range t.Pools {
		els := make([]map[string]any, len(p.Elements))
		for j, el := range p.Elements {
			els[j] = elementJSON(el.PoolElement)
		}
		pools[i] = map[string]any{"handle": p.Handle, "policy": p.Policy.String(), "elements": els}
	}
	return map[string]any{"server": uint32(t.Server), "pools": pools}
}

// elementJSON describes a pool element for JSON output.
func elementJSON(el wire.PoolElement) map[string]any {
	f := map[string]any{
		"id":        uint32(el.ID),
		"home":      uint32(el.HomeServer),
		"life_ms":   el.RegLife,
		"transport": transportJSON(el.UserTransport),
		"policy":    policyJSON(el.Policy),
	}
	if el.ASAPTransport.Type != 0 {
		f["asap"] = transportJSON(el.ASAPTransport)
	}
	return f
}

func lifeOf(el wire.PoolElement) time.Duration { return time.Duration(el.RegLife) * time.Millisecond }

// protocols names the transport protocols.
var protocols = map[wire.ParamType]string{
	wire.ParamSCTPTransport:    "sctp",
	wire.ParamTCPTransport:     "tcp",
	wire.ParamUDPTransport:     "udp",
	wire.ParamUDPLiteTransport: "udplite",
	wire.ParamDCCPTransport:    "dccp",
}

// transportText formats a transport as "sctp 127.0.0.1,127.0.0.2:7", with
// " control" when it also carries ASAP control.
func transportText(t wire.Transport) string {
	parts := make([]string, len(t.Addrs))
	for i, a := range t.Addrs {
		parts[i] = a.String()
	}
	if n := len(t.Addrs); n > 0 {
		parts[n-1] = netip.AddrPortFrom(t.Addrs[n-1], t.Port).String()
	}
	s := protocols[t.Type] + " " + strings.Join(parts, ",")
	if t.Use == wire.DataPlusControl {
		s += " control"
	}
	return s
}

func transportJSON(t wire.Transport) map[string]any {
	return map[string]any{"protocol": protocols[t.Type], "port": t.Port, "addrs": addrStrings(t.Addrs), "use": t.Use.String()}
}

// policyValue is one value of a policy as it is shown; fraction marks
// those on the 32-bit scale of fractions (loads and penalty factors).
type policyValue struct {
	name     string
	v        uint32
	fraction bool
}

// policyValues returns the values a policy parameter may carry.
func policyValues(p wire.Policy) []policyValue {
	return []policyValue{
		{"weight", p.Weight, false}, {"priority", p.Priority, false}, {"load", p.Load, true},
		{"degradation", p.LoadDegradation, true}, {"load_dpf", p.LoadDPF, true},
		{"weight_dpf", p.WeightDPF, true}, {"distance_ms", p.Distance, false},
	}
}

// policyText formats a policy with its nonzero values: "LeastUsed
// load=25%".
func policyText(p wire.Policy) string {
	s := p.Type.String()
	for _, f := range policyValues(p) {
		switch {
		case f.v == 0:
		case f.fraction:
			s += fmt.Sprintf(" %s=%.4g%%", f.name, 100*float64(f.v)/math.MaxUint32)
		default:
			s += fmt.Sprintf(" %s=%d", f.name, f.v)
		}
	}
	return s
}

func policyJSON(p wire.Policy) map[string]any {
	m := map[string]any{"type": p.Type.String()}
	for _, f := range policyValues(p) {
		if f.v != 0 {
			m[f.name] = f.v
		}
	}
	return m
}

// printPeers prints the registrar's ENRP peers, if it has any.
func printPeers(w io.Writer, peers []wire.ServerInfo) {
	if len(peers) == 0 {
		return
	}
	fmt.Fprintf(w, "%d ENRP peers:\n", len(peers))
	for _, p := range peers {
		fmt.Fprintf(w, "  $%08x", uint32(p.ID))
		if p.Transport.Type != 0 {
			fmt.Fprintf(w, "  %s", transportText(p.Transport))
		}
		fmt.Fprintln(w)
	}
}

// printChecksums prints the RFC 5353 PE checksum of each home registrar's
// elements: two registrars that agree show the same lines.
func printChecksums(w io.Writer, sums []registrar.OwnerSum) {
	for _, s := range sums {
		fmt.Fprintf(w, "checksum of home $%08x: 0x%04x over %d elements\n", uint32(s.Server), s.Checksum, s.Elements)
	}
}

func checksumsJSON(sums []registrar.OwnerSum) []map[string]any {
	out := make([]map[string]any, len(sums))
	for i, s := range sums {
		out[i] = map[string]any{"home": uint32(s.Server), "elements": s.Elements, "checksum": s.Checksum}
	}
	return out
}

func peersJSON(peers []wire.ServerInfo) []map[string]any {
	out := make([]map[string]any, len(peers))
	for i, p := range peers {
		out[i] = map[string]any{"server": uint32(p.ID)}
		if p.Transport.Type != 0 {
			out[i]["transport"] = transportJSON(p.Transport)
		}
	}
	return out
}
