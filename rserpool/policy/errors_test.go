package policy_test

import (
	"errors"
	"testing"

	"github.com/mobisctp/mobisctp/rserpool/policy"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

var allPolicies = []wire.PolicyType{
	wire.PolicyRoundRobin, wire.PolicyWeightedRoundRobin, wire.PolicyRandom,
	wire.PolicyWeightedRandom, wire.PolicyPriority, wire.PolicyLeastUsed,
	wire.PolicyLeastUsedDegradation, wire.PolicyPriorityLeastUsed,
	wire.PolicyRandomizedLeastUsed, wire.PolicyWeightedRandomDPF,
	wire.PolicyLeastUsedDPF, wire.PolicyLeastUsedDegradationDPF,
}

func TestEveryPolicyIsImplemented(t *testing.T) {
	weighted := map[wire.PolicyType]bool{
		wire.PolicyRandom: true, wire.PolicyWeightedRandom: true,
		wire.PolicyRandomizedLeastUsed: true, wire.PolicyWeightedRandomDPF: true,
	}
	for _, typ := range allPolicies {
		s, err := policy.New(typ, 0)
		if err != nil {
			t.Errorf("New(%v): %v", typ, err)
			continue
		}
		if s.Type() != typ || s.Weighted() != weighted[typ] {
			t.Errorf("New(%v) = type %v weighted %v", typ, s.Type(), s.Weighted())
		}
		if err := policy.Validate(wire.Policy{Type: typ, Load: 0xFFFFFFFF, Weight: 0xFFFFFFFF}); err != nil {
			t.Errorf("Validate(%v) with full-scale fields: %v", typ, err)
		}
	}
}

func TestPolicyMismatchRejected(t *testing.T) {
	err := policy.CheckConsistent(wire.PolicyRoundRobin, wire.Policy{Type: wire.PolicyLeastUsed})
	var ie *policy.InconsistentError
	if !errors.As(err, &ie) || ie.Pool != wire.PolicyRoundRobin || ie.Element != wire.PolicyLeastUsed {
		t.Fatalf("CheckConsistent(RoundRobin, LeastUsed) = %v, want *InconsistentError{RoundRobin, LeastUsed}", err)
	}
	if err := policy.CheckConsistent(wire.PolicyLeastUsed, wire.Policy{Type: wire.PolicyLeastUsed, Load: 7}); err != nil {
		t.Errorf("same policy, other values: %v", err)
	}
}

func TestUnknownPolicyRejected(t *testing.T) {
	const bogus = wire.PolicyType(0x12345678)
	if err := policy.Validate(wire.Policy{Type: bogus}); !errors.Is(err, policy.ErrUnknownPolicy) {
		t.Errorf("Validate(%v) = %v, want ErrUnknownPolicy", bogus, err)
	}
	// A pool cannot have been created with an unknown policy, but an element
	// that matches the pool's type must still be a known one.
	if err := policy.CheckConsistent(bogus, wire.Policy{Type: bogus}); !errors.Is(err, policy.ErrUnknownPolicy) {
		t.Errorf("CheckConsistent(%v, %v) = %v, want ErrUnknownPolicy", bogus, bogus, err)
	}
	var ue *policy.UnknownPolicyError
	if _, err := policy.New(bogus, 0); !errors.As(err, &ue) || ue.Type != bogus {
		t.Errorf("New(%v) = %v, want *UnknownPolicyError", bogus, err)
	}
}
