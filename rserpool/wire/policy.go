package wire

// The Pool Member Selection Policy parameter (RFC 5354) carries
// a 32-bit policy type and then the 32-bit values that policy uses, in an
// order fixed per policy (RFC 5356, and draft-dreibholz-rserpool-delay for the
// delay-sensitive ones). For example Least Used with Degradation:
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|         Type = 0x08           |         Length = 0x10         |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                   Policy Type = 0x40000002                    |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                             Load                              |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|                       Load Degradation                        |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// policyLayouts below lists the values of every policy.

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

// Policies that only RSPLIB defines (rserpool-policytypes.h), in its
// private range.
const (
	PolicyRandomizedPriorityLeastUsed            PolicyType = 0xb0001001
	PolicyRandomizedLeastUsedDegradation         PolicyType = 0xb0001002
	PolicyPriorityLeastUsedDegradation           PolicyType = 0xb0001003
	PolicyRandomizedPriorityLeastUsedDegradation PolicyType = 0xb0001004
)

// policyField is one of the 32-bit values a policy parameter carries.
type policyField uint8

const (
	fieldWeight policyField = iota
	fieldPriority
	fieldLoad
	fieldLoadDegradation
	fieldLoadDPF
	fieldWeightDPF
	fieldDistance
)

// policyLayout is what the parameter carries for one policy.
type policyLayout struct {
	name   string
	fields []policyField // after the policy type, in wire order
}

var policyLayouts = map[PolicyType]policyLayout{
	PolicyRoundRobin:              {"RoundRobin", nil},
	PolicyWeightedRoundRobin:      {"WeightedRoundRobin", []policyField{fieldWeight}},
	PolicyRandom:                  {"Random", nil},
	PolicyWeightedRandom:          {"WeightedRandom", []policyField{fieldWeight}},
	PolicyPriority:                {"Priority", []policyField{fieldPriority}},
	PolicyLeastUsed:               {"LeastUsed", []policyField{fieldLoad}},
	PolicyLeastUsedDegradation:    {"LeastUsedDegradation", []policyField{fieldLoad, fieldLoadDegradation}},
	PolicyPriorityLeastUsed:       {"PriorityLeastUsed", []policyField{fieldLoad, fieldLoadDegradation}},
	PolicyRandomizedLeastUsed:     {"RandomizedLeastUsed", []policyField{fieldLoad}},
	PolicyWeightedRandomDPF:       {"WeightedRandomDPF", []policyField{fieldWeight, fieldWeightDPF, fieldDistance}},
	PolicyLeastUsedDPF:            {"LeastUsedDPF", []policyField{fieldLoad, fieldLoadDPF, fieldDistance}},
	PolicyLeastUsedDegradationDPF: {"LeastUsedDegradationDPF", []policyField{fieldLoad, fieldLoadDegradation, fieldLoadDPF, fieldDistance}},

	PolicyRandomizedPriorityLeastUsed:            {"RandomizedPriorityLeastUsed", []policyField{fieldLoad}},
	PolicyRandomizedLeastUsedDegradation:         {"RandomizedLeastUsedDegradation", []policyField{fieldLoad, fieldLoadDegradation}},
	PolicyPriorityLeastUsedDegradation:           {"PriorityLeastUsedDegradation", []policyField{fieldLoad, fieldLoadDegradation}},
	PolicyRandomizedPriorityLeastUsedDegradation: {"RandomizedPriorityLeastUsedDegradation", []policyField{fieldLoad, fieldLoadDegradation}},
}

func (t PolicyType) String() string {
	if l, ok := policyLayouts[t]; ok {
		return l.name
	}
	return fmt.Sprintf("policy %#08x", uint32(t))
}

// Known reports whether this package knows the values policy t carries.
func (t PolicyType) Known() bool {
	_, ok := policyLayouts[t]
	return ok
}

// Policy is the Pool Member Selection Policy parameter (RFC 5354 with
// the fields of RFC 5356 and the delay drafts): the policy type and
// the per-element values that policy uses. Fields a policy does not use are
// zero.
//
// RFC 5356 calls the second value of Priority Least Used the load
// increment: the load one more request adds. It is kept in LoadDegradation,
// as RSPLIB and Wireshark do.
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

func (p *Policy) field(f policyField) *uint32 {
	switch f {
	case fieldWeight:
		return &p.Weight
	case fieldPriority:
		return &p.Priority
	case fieldLoad:
		return &p.Load
	case fieldLoadDegradation:
		return &p.LoadDegradation
	case fieldLoadDPF:
		return &p.LoadDPF
	case fieldWeightDPF:
		return &p.WeightDPF
	}
	return &p.Distance
}

// ParamType implements ParamValue.
func (p Policy) ParamType() ParamType { return ParamPolicy }

// ValueLen implements ParamValue. Policies this package does not know are
// written with their type only.
func (p Policy) ValueLen() int { return 4 + 4*len(policyLayouts[p.Type].fields) }

// AppendValue implements ParamValue.
func (p Policy) AppendValue(b []byte) []byte {
	b = be.AppendUint32(b, uint32(p.Type))
	for _, f := range policyLayouts[p.Type].fields {
		b = be.AppendUint32(b, *p.field(f))
	}
	return b
}

// Decode fills p from prm. The values of a policy this package does not
// know are not kept: p gets its type only.
func (p *Policy) Decode(prm Param) error {
	if err := expectParam(prm, ParamPolicy); err != nil {
		return err
	}
	v := prm.Value()
	if len(v) < 4 {
		return errShort("policy type", ParamHeaderLen, 4, len(v))
	}
	*p = Policy{Type: PolicyType(be.Uint32(v))}
	layout, known := policyLayouts[p.Type]
	if !known {
		return nil
	}
	fields, v := layout.fields, v[4:]
	if p.Type == PolicyPriorityLeastUsed && len(v) == 4 {
		// RSPLIB deviation: RSPLIB sends Priority Least Used with the load
		// only, without RFC 5356's load increment, which then reads as 0.
		fields = fields[:1]
	}
	if len(v) != 4*len(fields) {
		return errAt("Pool Member Selection Policy length", 2,
			fmt.Sprintf("%d, want %d for %s", len(prm), ParamHeaderLen+4+4*len(fields), p.Type))
	}
	for i, f := range fields {
		*p.field(f) = be.Uint32(v[4*i:])
	}
	return nil
}
