package asap

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// policyArg is one value of a policy's NAME:ARGS form.
type policyArg struct {
	name  string
	field func(p *wire.Policy) *uint32
	// fraction: the value is written as 0 to 1 and carried on the full
	// 32-bit scale of loads and delay penalty factors (RFC 5356).
	fraction bool
}

var (
	argWeight      = policyArg{"weight", func(p *wire.Policy) *uint32 { return &p.Weight }, false}
	argPriority    = policyArg{"priority", func(p *wire.Policy) *uint32 { return &p.Priority }, false}
	argDegradation = policyArg{"load degradation", func(p *wire.Policy) *uint32 { return &p.LoadDegradation }, true}
	argLoadDPF     = policyArg{"load DPF", func(p *wire.Policy) *uint32 { return &p.LoadDPF }, true}
	argWeightDPF   = policyArg{"weight DPF", func(p *wire.Policy) *uint32 { return &p.WeightDPF }, true}
)

// policyArgs lists the policies an element may register with (those
// rserpool/policy implements) and the values their NAME:ARGS form sets.
// An element's load starts at 0 (idle).
var policyArgs = map[wire.PolicyType][]policyArg{
	wire.PolicyRoundRobin:              nil,
	wire.PolicyWeightedRoundRobin:      {argWeight},
	wire.PolicyRandom:                  nil,
	wire.PolicyWeightedRandom:          {argWeight},
	wire.PolicyPriority:                {argPriority},
	wire.PolicyLeastUsed:               nil,
	wire.PolicyLeastUsedDegradation:    {argDegradation},
	wire.PolicyPriorityLeastUsed:       {argDegradation},
	wire.PolicyRandomizedLeastUsed:     nil,
	wire.PolicyWeightedRandomDPF:       {argWeight, argWeightDPF},
	wire.PolicyLeastUsedDPF:            {argLoadDPF},
	wire.PolicyLeastUsedDegradationDPF: {argDegradation, argLoadDPF},
}

// ParsePolicy reads a policy written as RSPLIB's rspserver takes it,
// NAME[:ARG[:ARG]]: "RoundRobin", "WeightedRoundRobin:3",
// "LeastUsedDegradation:0.05". Names are those of wire.PolicyType, in any
// case. Weights and priorities are integers, a weight defaults to 1;
// load degradations and delay penalty factors are fractions from 0 to 1.
func ParsePolicy(s string) (wire.Policy, error) {
	name, rest, hasArgs := strings.Cut(s, ":")
	t, ok := policyByName(name)
	if !ok {
		return wire.Policy{}, fmt.Errorf("unknown policy %q; known: %s", name, strings.Join(PolicyNames(), ", "))
	}
	p := wire.Policy{Type: t, Weight: 1}
	args := policyArgs[t]
	var vals []string
	if hasArgs {
		vals = strings.Split(rest, ":")
	}
	if len(vals) > len(args) {
		return wire.Policy{}, fmt.Errorf("%v takes %d value(s), got %d", t, len(args), len(vals))
	}
	for i, v := range vals {
		if err := args[i].set(&p, v); err != nil {
			return wire.Policy{}, fmt.Errorf("%v: %w", t, err)
		}
	}
	return p, nil
}

func (a policyArg) set(p *wire.Policy, v string) error {
	if !a.fraction {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return fmt.Errorf("%s %q is not a number from 0 to %d", a.name, v, uint32(math.MaxUint32))
		}
		*a.field(p) = uint32(n)
		return nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 {
		return fmt.Errorf("%s %q is not a fraction from 0 to 1", a.name, v)
	}
	*a.field(p) = uint32(math.Round(f * math.MaxUint32))
	return nil
}

func policyByName(name string) (wire.PolicyType, bool) {
	for t := range policyArgs {
		if strings.EqualFold(t.String(), name) {
			return t, true
		}
	}
	return 0, false
}

// PolicyNames returns the names ParsePolicy knows, sorted.
func PolicyNames() []string {
	var names []string
	for t := range policyArgs {
		names = append(names, t.String())
	}
	slices.Sort(names)
	return names
}
