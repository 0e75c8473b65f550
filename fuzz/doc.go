// Package fuzz holds scenario fuzzers that drive whole systems (endpoints
// on the simulated network of internal/simnet) through their public APIs;
// parser fuzzers stay beside their parsers.
//
// FuzzBlindAttacker plays a blind off-path attacker against a live
// association: it sends packets from its own address, from addresses it
// spoofs without seeing the answers (the peers' own included), with
// guessed tags and with tags and a State Cookie sniffed from the
// handshake, and it replays cookies it obtained with INITs of its own. The
// invariant: no association is created or ended without the real peer;
// the only new associations are the attacker's own (made from an INIT it
// sent from its own address), and the real one keeps carrying data both
// ways.
package fuzz
