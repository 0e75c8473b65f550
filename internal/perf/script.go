package perf

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// AddrOp is an address change a scripted run makes (RFC 5061 ASCONF).
type AddrOp string

// The scripted address changes.
const (
	AddAddr    AddrOp = "add-addr"    // AddLocalAddr: tell the peer about a new address
	DelAddr    AddrOp = "del-addr"    // RemoveLocalAddr
	SetPrimary AddrOp = "set-primary" // SetPeerPrimary: ask the peer to send to it
)

// AddrAction is one scripted change, At after the association came up.
type AddrAction struct {
	At   time.Duration
	Op   AddrOp
	Addr netip.Addr
}

// ParseAddrAction reads "ADDR@DUR", as in 192.0.2.7@2s.
func ParseAddrAction(op AddrOp, s string) (AddrAction, error) {
	addr, at, ok := strings.Cut(s, "@")
	if !ok {
		return AddrAction{}, fmt.Errorf("%q: want ADDR@DURATION, as in 192.0.2.7@2s", s)
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return AddrAction{}, fmt.Errorf("%q: %w", s, err)
	}
	d, err := time.ParseDuration(at)
	if err != nil || d < 0 {
		return AddrAction{}, fmt.Errorf("%q: bad time %q", s, at)
	}
	return AddrAction{At: d, Op: op, Addr: a}, nil
}

// runScript applies the actions to a at their times until ctx is done or
// a ends, reporting each on the console.
func runScript(ctx context.Context, a *stack.Association, acts []AddrAction, con *console, label string) {
	if len(acts) == 0 {
		return
	}
	acts = slices.Clone(acts)
	slices.SortStableFunc(acts, func(x, y AddrAction) int { return int(x.At - y.At) })
	start := time.Now()
	for _, act := range acts {
		select {
		case <-time.After(time.Until(start.Add(act.At))):
		case <-ctx.Done():
			return
		case <-a.Done():
			return
		}
		err := apply(a, act)
		msg := fmt.Sprintf("%s %v", act.Op, act.Addr)
		if err != nil {
			msg += ": " + err.Error()
		}
		con.event(label, time.Now(), msg)
	}
}

func apply(a *stack.Association, act AddrAction) error {
	switch act.Op {
	case AddAddr:
		return a.AddLocalAddr(act.Addr)
	case DelAddr:
		return a.RemoveLocalAddr(act.Addr)
	case SetPrimary:
		return a.SetPeerPrimary(act.Addr)
	}
	return fmt.Errorf("unknown address change %q", act.Op)
}
