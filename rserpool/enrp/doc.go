// Package enrp implements the peer procedures of ENRP (RFC 5353) as a pure
// state machine for a registrar: no I/O, no goroutines, no clock (time
// comes in as now). The registrar feeds it the ENRP messages it receives,
// its peers' associations coming up and going down, its own pool elements'
// changes and the timer; the [Machine] answers with [Action]s, messages to
// send and handlespace changes, which the registrar carries out.
//
// What it does:
//
//   - Peer table. Peers are learned from any ENRP message, Presence above
//     all, whether it came over a configured association or by multicast.
//     Every HeartbeatCycle the machine sends its Presence, with the PE
//     checksum of the elements it owns, to every peer. A peer silent for
//     MaxTimeLastHeard is asked for a Presence (R flag); silent
//     MaxTimeNoResponse more, it is dead: the machine starts a takeover if
//     the peer owned elements and forgets it otherwise.
//   - Handle table synchronisation. On learning a peer, and again when its
//     association comes back, the machine asks it for the elements it owns
//     (Handle Table Request with the W flag) and follows the M flag until
//     the last part; then it purges that peer's elements the answer did
//     not contain. It answers the peers' requests in parts from a cursor
//     per peer. The registrar reports every change of its own elements
//     ([Machine.Local]) and the machine sends it as a Handle Update.
//   - Audit. A Presence whose checksum differs from the checksum of the
//     elements the sender owns here starts a new synchronisation of that
//     sender's part. The checksum has 16 bits and sums its parts, so two
//     different parts can agree (FuzzScenario found one: elements 2 of
//     "pool-2" and 4 of "pool-0"); what repairs a partition for certain
//     is the synchronisation every new association starts ([Machine.LinkUp]),
//     and the registrar replaces the association of a peer found dead.
//   - Takeover (RFC 5353 section 3.9). The registrar that finds a peer
//     dead sends Init Takeover to the others and takes the elements once
//     all of them acknowledged, announcing it with Takeover Server. Two
//     registrars that start a takeover of the same peer at once resolve it
//     as RFC 5353 and RSPLIB do: the one with the lower server ID goes on,
//     the other acknowledges it and abandons its own. A target that is
//     alive answers an Init Takeover with Presences, and a word from the
//     target stops the takeover. When acknowledgements are missing at
//     TakeoverExpiry, the takeover completes anyway if every missing peer
//     is itself silent (it is dead too), and starts again otherwise.
//   - Takeover suggestion (draft-dreibholz-rserpool-enrp-takeover). With
//     SuggestTakeover, a Handle Update for a new element goes with the T
//     flag to the peer that owns the fewest elements when this registrar
//     owns more than one element more; with HonourSuggestions, a T flag
//     addressed to this registrar makes it claim the element
//     ([ClaimElement]).
//
// The handlespace stays the registrar's: the machine reads it through the
// [Table] interface and changes it only through actions.
package enrp
