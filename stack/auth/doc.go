// Package auth implements SCTP-AUTH (RFC 4895) as a library that an
// association's event loop calls: the RANDOM, CHUNKS and HMAC-ALGO
// parameters of INIT and INIT ACK, the derivation of association shared
// keys, the endpoint-pair shared keys with their identifiers, and signing and
// verifying AUTH chunks in place with HMAC-SHA-1 or HMAC-SHA-256.
//
// # Setting up
//
// The endpoint owns a [Keyring] (key 0, the empty key, is there from the
// start). For each association it makes fresh [Params] with [NewParams] and
// appends them to its INIT or INIT ACK with [Params.AppendTo]. The peer's
// parameter list goes through [ParseParams]: [ErrNotSupported] means the
// peer does not do AUTH; [ErrRandomLength] and [ErrNoSHA1] mean the
// association must be aborted with a Protocol Violation cause. Both sides'
// Params and the keyring then make a [Session]. A server that keeps no
// state until COOKIE ECHO rebuilds its own Params from the parameters it
// put in the cookie, with ParseParams too.
//
// # Sending
//
// When the first chunk of a packet that [Session.SendNeedsAuth] names is
// about to be bundled, the packet builder appends an AUTH chunk with
// [Session.AppendAuth] (it takes [Session.AuthLen] bytes) and notes its
// offset. Once the packet is complete, [Session.Sign] fills in the HMAC;
// the checksum is computed after that.
//
// # Receiving
//
// The chunk loop verifies the first AUTH chunk of a packet with
// [Session.Verify], passing the packet from that chunk on, and drops every
// chunk that [Session.RecvNeedsAuth] names unless it follows an AUTH chunk
// that verified. See the example for the loop.
//
// A Session belongs to the goroutine that runs its association; it is not
// safe for concurrent use. Nothing on the per-packet path allocates once a
// key has been used.
package auth
