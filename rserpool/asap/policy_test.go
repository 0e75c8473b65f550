package asap

import (
	"math"
	"strings"
	"testing"

	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

func TestParsePolicy(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want wire.Policy
	}{
		{"RoundRobin", wire.Policy{Type: wire.PolicyRoundRobin, Weight: 1}},
		{"weightedroundrobin:3", wire.Policy{Type: wire.PolicyWeightedRoundRobin, Weight: 3}},
		{"WeightedRoundRobin", wire.Policy{Type: wire.PolicyWeightedRoundRobin, Weight: 1}},
		{"Priority:7", wire.Policy{Type: wire.PolicyPriority, Weight: 1, Priority: 7}},
		{"LeastUsedDegradation:0.5", wire.Policy{Type: wire.PolicyLeastUsedDegradation, Weight: 1, LoadDegradation: 1 << 31}},
		{"WeightedRandomDPF:2:1", wire.Policy{Type: wire.PolicyWeightedRandomDPF, Weight: 2, WeightDPF: math.MaxUint32}},
	} {
		got, err := ParsePolicy(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
		if err := policy.Validate(got); err != nil {
			t.Errorf("%q: %v", tc.in, err)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"Fastest", "unknown policy"},
		{"RoundRobin:1", "takes 0"},
		{"WeightedRoundRobin:x", "weight"},
		{"WeightedRoundRobin:4294967296", "weight"},
		{"LeastUsedDegradation:1.5", "fraction"},
	} {
		if _, err := ParsePolicy(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want one about %q", tc.in, err, tc.want)
		}
	}
	if names := PolicyNames(); len(names) != len(policyArgs) || names[0] != "LeastUsed" {
		t.Errorf("names %v", names)
	}
}
