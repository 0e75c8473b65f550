package wire

import (
	"bytes"
	"testing"
)

type policyCase struct {
	v      Policy
	golden string
}

// policyGoldens returns every known policy, written out by hand from the
// RFC 5356 and draft-dreibholz-rserpool-delay layouts.
func policyGoldens() []policyCase {
	return []policyCase{
		{Policy{Type: PolicyRoundRobin}, `00 08 00 08 00 00 00 01`},
		{Policy{Type: PolicyWeightedRoundRobin, Weight: 7}, `00 08 00 0c 00 00 00 02 00 00 00 07`},
		{Policy{Type: PolicyRandom}, `00 08 00 08 00 00 00 03`},
		{Policy{Type: PolicyWeightedRandom, Weight: 9}, `00 08 00 0c 00 00 00 04 00 00 00 09`},
		{Policy{Type: PolicyPriority, Priority: 3}, `00 08 00 0c 00 00 00 05 00 00 00 03`},
		{Policy{Type: PolicyLeastUsed, Load: 0x12345678}, `00 08 00 0c 40 00 00 01 12 34 56 78`},
		{Policy{Type: PolicyLeastUsedDegradation, Load: 0x10, LoadDegradation: 0x20}, `
			00 08 00 10 40 00 00 02 00 00 00 10 00 00 00 20`},
		{Policy{Type: PolicyPriorityLeastUsed, Load: 0x10, LoadDegradation: 0x20}, `
			00 08 00 10 40 00 00 03
			00 00 00 10              // load
			00 00 00 20              // load increment`},
		{Policy{Type: PolicyRandomizedLeastUsed, Load: 0x30}, `00 08 00 0c 40 00 00 04 00 00 00 30`},
		{Policy{Type: PolicyWeightedRandomDPF, Weight: 1, WeightDPF: 2, Distance: 3}, `
			00 08 00 14 b0 00 20 01
			00 00 00 01              // weight
			00 00 00 02              // weight DPF
			00 00 00 03              // distance`},
		{Policy{Type: PolicyLeastUsedDPF, Load: 4, LoadDPF: 5, Distance: 6}, `
			00 08 00 14 b0 00 20 02
			00 00 00 04              // load
			00 00 00 05              // load DPF
			00 00 00 06              // distance`},
		{Policy{Type: PolicyLeastUsedDegradationDPF, Load: 7, LoadDegradation: 8, LoadDPF: 9, Distance: 10}, `
			00 08 00 18 b0 00 20 03
			00 00 00 07              // load
			00 00 00 08              // load degradation
			00 00 00 09              // load DPF
			00 00 00 0a              // distance`},
		{Policy{Type: PolicyRandomizedPriorityLeastUsed, Load: 11}, `00 08 00 0c b0 00 10 01 00 00 00 0b`},
		{Policy{Type: PolicyRandomizedLeastUsedDegradation, Load: 12, LoadDegradation: 13}, `
			00 08 00 10 b0 00 10 02 00 00 00 0c 00 00 00 0d`},
		{Policy{Type: PolicyPriorityLeastUsedDegradation, Load: 14, LoadDegradation: 15}, `
			00 08 00 10 b0 00 10 03 00 00 00 0e 00 00 00 0f`},
		{Policy{Type: PolicyRandomizedPriorityLeastUsedDegradation, Load: 16, LoadDegradation: 17}, `
			00 08 00 10 b0 00 10 04 00 00 00 10 00 00 00 11`},
	}
}

func TestPolicyGolden(t *testing.T) {
	cases := policyGoldens()
	for _, tc := range cases {
		t.Run(tc.v.Type.String(), func(t *testing.T) { checkParam(t, &tc.v, x(tc.golden)) })
	}
	if len(cases) != len(policyLayouts) {
		t.Errorf("%d golden policies, %d known", len(cases), len(policyLayouts))
	}
}

// decodePolicy decodes the policy parameter in, or fails the test.
func decodePolicy(t *testing.T, in []byte) Policy {
	t.Helper()
	p, err := ParseParam(in)
	if err != nil {
		t.Fatal(err)
	}
	var v Policy
	if err := v.Decode(p); err != nil {
		t.Fatal(err)
	}
	return v
}

// RSPLIB sends Priority Least Used with the load only.
func TestPolicyRSPLIBPriorityLeastUsed(t *testing.T) {
	v := decodePolicy(t, x(`00 08 00 0c 40 00 00 03 00 00 00 10`))
	if want := (Policy{Type: PolicyPriorityLeastUsed, Load: 0x10}); v != want {
		t.Errorf("Decode = %+v, want %+v", v, want)
	}
	// And it is written back in the RFC 5356 form.
	want := x(`00 08 00 10 40 00 00 03 00 00 00 10 00 00 00 00`)
	if got := AppendParam(nil, v); !bytes.Equal(got, want) {
		t.Errorf("AppendParam = % x, want % x", got, want)
	}
}

func TestPolicyUnknownKeepsTypeOnly(t *testing.T) {
	v := decodePolicy(t, x(`00 08 00 10 12 34 56 78 aa bb cc dd ee ff 00 11`))
	if want := (Policy{Type: 0x12345678}); v != want {
		t.Errorf("Decode = %+v, want %+v", v, want)
	}
	if v.Type.Known() || v.Type.String() != "policy 0x12345678" {
		t.Errorf("unknown policy: Known %v, String %q", v.Type.Known(), v.Type)
	}
	want := x(`00 08 00 08 12 34 56 78`)
	if got := AppendParam(nil, v); !bytes.Equal(got, want) {
		t.Errorf("AppendParam = % x, want % x", got, want)
	}
}

func TestPolicyMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		field    string
		off      int
	}{
		{"no policy type", `00 08 00 06 00 00 00 00`, "policy type", 4},
		{"value missing", `00 08 00 08 40 00 00 01`, "Pool Member Selection Policy length", 2},
		{"value too long", `00 08 00 10 00 00 00 02 00 00 00 07 00 00 00 07`, "Pool Member Selection Policy length", 2},
		{"DPF value short", `00 08 00 10 b0 00 20 02 00 00 00 04 00 00 00 05`, "Pool Member Selection Policy length", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseParam(x(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var v Policy
			checkError(t, v.Decode(p), tc.field, tc.off)
		})
	}
}
