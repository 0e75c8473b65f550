// Package registrar is an RSerPool registrar: the server of ASAP (RFC 5352)
// that pool elements register with and pool users resolve pool handles at,
// running over this module's SCTP stack (SCTP over UDP, RFC 6951).
//
// Listen opens an SCTP endpoint (SCTP port 3863, payload protocol 11) and
// serves every association as one session, whose messages are read and
// answered by a goroutine that runs while there are any (an idle session
// has none):
//
//   - Registration adds or updates a pool element and makes this registrar
//     its home. The addresses of its user transport must be addresses of
//     the association it registers through; its policy and transport must
//     agree with the pool's. A refusal carries the RFC 5352 cause.
//   - Deregistration removes it; Handle Resolution answers with elements
//     chosen by the pool's policy (package policy), as many as the Handle
//     Resolution Option asks for (ResolutionItems without it).
//   - The registrar sends Endpoint Keep-Alives to the elements it is home
//     for over their own associations, and removes those that do not answer
//     in time, those whose registration life ends, those that pool users
//     report unreachable often enough (Endpoint Unreachable), and all those
//     of an association that ends.
//   - An element belongs to the association that registered it: another
//     association may re-register or deregister it only once that one has
//     ended or failed its keep-alive (Rejection Due to Security
//     Considerations until then). Ownership follows the association, not
//     its addresses, so an element that moves with ASCONF keeps it.
//   - Limits on elements (in all, per association, per peer address),
//     pools and associations refuse what is beyond them with Lack of
//     Resources (an ABORT for associations), and the registrar goes on
//     serving everyone else; registration lives are clamped to
//     MaxLifetime. Stats.Refused counts each.
//   - Malformed and unknown messages are answered with ASAP Error messages,
//     and counted. Logs quote pool handles cut to 64 bytes.
//   - Server Announces go out by UDP when Config.Announce is set.
//
// The handlespace (package handlespace) is not safe for concurrent use: one
// mutex guards it together with the registrar's other state. Sessions and
// the timer loop hold it only to decide, never while sending, and the timer
// loop keeps one clock timer set to the earliest deadline of the
// handlespace. Protocol logic takes the current time as an argument.
//
// # Inspection
//
// Registrar.Table returns a copy of the handlespace in process. Over the
// network, FetchTable reads it the way a peer registrar would: ENRP Handle
// Table Requests (RFC 5353, payload protocol 12), which the registrar serves
// on its ASAP port, in parts of MaxTableEntries elements. That is the only
// ENRP message served; peering with other registrars is not implemented,
// but the handlespace keeps owners and PE checksums for it, and the
// registrar's server ID is the home of the elements it serves.
//
// Registrar.Events reports registrations and removals as they happen and
// Registrar.Stats counts everything; logging goes through pion/logging
// (scope "registrar").
//
// # RSPLIB
//
// The defaults and the behaviour follow RSPLIB's rspregistrar, the reference
// implementation: keep-alive interval and timeout of 5 s each, 3 unreachable
// reports, 3 elements per resolution, 128 elements per handle table part,
// pool handles of at most 32 bytes; keep-alives carry the PE Identifier;
// the keep-alive cycle restarts on every registration and every Ack; a
// keep-alive timeout aborts the element's association; an association that
// ends takes its elements with it; the deregistration of an unknown
// element succeeds; the Handle Resolution Response carries the first
// element's policy. Where RSPLIB sends its private error codes, this
// registrar sends RFC 5352 causes (Rejection Due to Security Considerations
// for foreign addresses, Invalid Values for an unknown policy or a bad
// value), and where RSPLIB silently drops an element's foreign user
// addresses, it refuses the registration. Where RSPLIB moves an element to
// any association that re-registers it, this registrar refuses the claim
// while the owner's association lives (RFC 5355's registration spoofing),
// and RSPLIB has no resource limits.
package registrar
