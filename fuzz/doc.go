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
//
// FuzzMobileNodes moves two mobile nodes (package mobility) that exchange
// numbered messages through one association, with a registrar between
// them: the script says which node moves where, with which gap or
// overlap, how lossy (duplicating, reordering) the links are, when the
// registrar restarts and when bursts of messages go which way; its setup
// byte picks the recovery (re-attach or session failover) and the resend
// buffer. The invariant is the Conn's contract: once the network heals,
// every message arrives exactly once, in order and intact, across every
// fallback and failover, or the nodes concerned report the failure (a
// Send or Recv error, or EventFailoverFailed); never a duplicate, a
// reordering or a damaged message, never a Conn that ended at one node
// only, a message kept unacknowledged, counters that disagree with the
// application, a panic or a hang.
//
// FuzzRegistrarPeers runs three registrars that peer over ENRP and pool
// elements (package asap) that register at them: the script registers,
// deregisters and crashes elements, kills and restarts registrars and
// partitions the network. The invariant: after the network heals, every
// running registrar holds the same table, exactly the elements alive,
// each owned by a running registrar, and keeps it so.
//
// Every scenario runs in virtual time (testing/synctest) with bounded
// steps and waits; a scenario that does not finish within a minute of
// real time panics with its input and its last step, which the fuzzing
// engine records as a crasher.
package fuzz
