package policy

import (
	"errors"
	"fmt"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// ErrUnknownPolicy is matched (errors.Is) by every *UnknownPolicyError.
var ErrUnknownPolicy = errors.New("rserpool: unknown pool member selection policy")

// UnknownPolicyError reports a policy type this package does not implement.
// A registrar answers it with an ASAP operation error rather than guessing.
type UnknownPolicyError struct {
	Type wire.PolicyType
}

func (e *UnknownPolicyError) Error() string {
	return fmt.Sprintf("rserpool: unknown pool member selection policy %v", e.Type)
}

// Unwrap makes every UnknownPolicyError match ErrUnknownPolicy.
func (e *UnknownPolicyError) Unwrap() error { return ErrUnknownPolicy }

// InconsistentError reports a pool element that tried to join a pool with a
// policy other than the pool's. RFC 5356 requires all elements of a pool to
// use the same policy; the registrar maps this error to the ASAP operation
// error "Pooling Policy Inconsistent" (cause 0x5).
type InconsistentError struct {
	Pool    wire.PolicyType // the policy the pool already uses
	Element wire.PolicyType // the policy the element asked for
}

func (e *InconsistentError) Error() string {
	return fmt.Sprintf("rserpool: pooling policy inconsistent: pool uses %v, element asked for %v", e.Pool, e.Element)
}

// Validate checks a policy parameter received from a pool element. RFC 5356
// and the delay draft give every field the full 32-bit range (load and load
// degradation 0 = 0% to 0xFFFFFFFF = 100%, weights and DPFs unrestricted), so
// the only invalid value is a policy type this package does not know.
func Validate(p wire.Policy) error {
	if _, ok := rules[p.Type]; !ok {
		return &UnknownPolicyError{Type: p.Type}
	}
	return nil
}

// CheckConsistent returns an *InconsistentError if an element asking for
// policy p may not join a pool that uses pool, and the result of Validate
// otherwise.
func CheckConsistent(pool wire.PolicyType, p wire.Policy) error {
	if p.Type != pool {
		return &InconsistentError{Pool: pool, Element: p.Type}
	}
	return Validate(p)
}
