package auth

import "crypto/subtle"

// Result is the outcome of [Session.Verify].
type Result uint8

// Outcomes of verifying an AUTH chunk. On anything but Verified the AUTH
// chunk and every chunk after it are discarded (RFC 4895 section 6.3).
const (
	// Verified: process the chunks after the AUTH chunk as authenticated.
	Verified Result = iota
	// Malformed: the AUTH chunk is truncated, or its HMAC field is not the
	// size of its algorithm. A protocol violation: the association is
	// aborted with a Protocol Violation cause, as Linux does. Only a
	// sender that knows the verification tag can cause it, and such a
	// sender could send an ABORT anyway.
	Malformed
	// UnsupportedHMAC: we did not list the chunk's HMAC identifier in our
	// HMAC-ALGO parameter. Discard, and send an ERROR chunk with an
	// Unsupported HMAC Identifier cause: a [wire.UnsupportedHMACCause]
	// with the chunk's HMAC identifier ([wire.Auth] decodes it).
	UnsupportedHMAC
	// UnknownKey: no key has the chunk's Shared Key Identifier. Discard
	// silently.
	UnknownKey
	// BadHMAC: the HMAC does not match. Discard silently.
	BadHMAC
)

var resultNames = [...]string{"verified", "malformed AUTH chunk", "unsupported HMAC identifier", "unknown shared key identifier", "bad HMAC"}

func (r Result) String() string {
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return "invalid result"
}

// Verify checks the AUTH chunk that starts b against everything after it in
// b, which must end where the packet ends. It accepts any algorithm we
// listed, not only the one the peer was expected to pick, and any key in
// the keyring. It works in place: the HMAC field is zeroed for the
// computation and then restored, so b is unchanged on return. The
// comparison takes constant time.
func (s *Session) Verify(b []byte) Result {
	field, mac, res := s.open(b, &s.local.listed)
	if res != Verified {
		return res
	}
	got := s.got[:len(field)]
	copy(got, field)
	clear(field)
	sum := s.compute(mac, b)
	copy(field, got)
	if subtle.ConstantTimeCompare(sum, got) != 1 {
		return BadHMAC
	}
	return Verified
}
