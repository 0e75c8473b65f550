package wire

import "fmt"

// PolicyType identifies a pool member selection policy (RFC 5356, and the
// delay-sensitive policies of draft-dreibholz-rserpool-delay with the codes
// RSPLIB uses for them).
type PolicyType uint32

// Pool member selection policies.
const (
	PolicyRoundRobin              PolicyType = 0x00000001
	PolicyWeightedRoundRobin      PolicyType = 0x00000002
	PolicyRandom                  PolicyType = 0x00000003
	PolicyWeightedRandom          PolicyType = 0x00000004
	PolicyPriority                PolicyType = 0x00000005
	PolicyLeastUsed               PolicyType = 0x40000001
	PolicyLeastUsedDegradation    PolicyType = 0x40000002
	PolicyPriorityLeastUsed       PolicyType = 0x40000003
	PolicyRandomizedLeastUsed     PolicyType = 0x40000004
	PolicyWeightedRandomDPF       PolicyType = 0xb0002001
	PolicyLeastUsedDPF            PolicyType = 0xb0002002
	PolicyLeastUsedDegradationDPF PolicyType = 0xb0002003
)

var policyNames = map[PolicyType]string{
	PolicyRoundRobin:              "RoundRobin",
	PolicyWeightedRoundRobin:      "WeightedRoundRobin",
	PolicyRandom:                  "Random",
	PolicyWeightedRandom:          "WeightedRandom",
	PolicyPriority:                "Priority",
	PolicyLeastUsed:               "LeastUsed",
	PolicyLeastUsedDegradation:    "LeastUsedDegradation",
	PolicyPriorityLeastUsed:       "PriorityLeastUsed",
	PolicyRandomizedLeastUsed:     "RandomizedLeastUsed",
	PolicyWeightedRandomDPF:       "WeightedRandomDPF",
	PolicyLeastUsedDPF:            "LeastUsedDPF",
	PolicyLeastUsedDegradationDPF: "LeastUsedDegradationDPF",
}

func (t PolicyType) String() string {
	if s, ok := policyNames[t]; ok {
		return s
	}
	return fmt.Sprintf("policy %#08x", uint32(t))
}

// Policy is the Pool Member Selection Policy parameter (RFC 5354 section
// 3.6 with the fields of RFC 5356 and the delay drafts): the policy type and
// the per-element values that policy uses. Fields a policy does not use are
// zero.
type Policy struct {
	Type            PolicyType
	Weight          uint32 // WeightedRoundRobin, WeightedRandom, WeightedRandomDPF
	Priority        uint32 // Priority
	Load            uint32 // least-used family: load, 0 (idle) to 0xFFFFFFFF (full)
	LoadDegradation uint32 // ...Degradation: load added per selection until the next update
	LoadDPF         uint32 // LeastUsedDPF, LeastUsedDegradationDPF: load delay penalty factor
	WeightDPF       uint32 // WeightedRandomDPF: weight delay penalty factor
	Distance        uint32 // DPF policies: distance (ms) to the element, set by registrars
}
