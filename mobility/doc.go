// Package mobility keeps an SCTP association alive while both of its
// endpoints change address, even at the same time and break before make,
// without Mobile IP, tunnels or help from the networks: the scheme of
// draft-dreibholz-rserpool-applic-mobility (SCTP with Add-IP plus
// RSerPool).
//
// A Node is a mobile endpoint. It owns a stack.Endpoint with AutoASCONF
// on, registers it as a pool element under the node's own pool handle,
// and dials or accepts mobile associations (Conn) to peers named by their
// handles; the dialler's handle travels in an ASAP Business Card on
// stream 0, which the node keeps for itself. When the node's addresses
// change it re-registers at once (same pool element identifier, new
// addresses). When a mobile association has no confirmed path left, its
// Controller resolves the peer's handle (no cache, again after 100 ms,
// 200 ms, ... up to 2 s until the peer answers) and sends an ASCONF from
// the node's new address to each address learned; the first that gets
// through re-attaches the same association, and a heartbeat confirms the
// new path before data uses it. Only one of the two nodes needs a handle
// (the asymmetric setup): a pool user re-finds a moved element, and the
// element learns the user's new address from the user's ASCONF.
//
// When the association cannot be re-attached (the handover deadline,
// 60 s, passed; the peer aborted or restarted it), the Conn falls back to
// RSerPool session failover and goes on over a new association: the
// dialler resolves the peer's handle again and dials it, and presents the
// session's random 128-bit token in an ASAP Cookie Echo; the acceptor
// finds the session by it (a stranger's guess is refused), and each end
// sends again what the other reports it has not delivered. Conn numbers
// its messages per stream and keeps them until the peer checkpoints them
// read, so nothing is lost or delivered twice across a failover; a full
// resend buffer blocks Send, which is also the flow control (the
// association's reader never waits for the application, so checkpoints
// always get through).
// ControllerConfig.Recovery = RecoverFailover recovers the RSPLIB way
// only: a failover as soon as every path is lost, without trying to
// re-attach (for comparisons).
//
// The Controller is a state machine without I/O, tested with two
// controllers wired to each other in virtual time. It reaches the stack
// and RSerPool through the interfaces in seams.go: the stack's handover
// hold (Config.HandoverHold), Association.AddPeerAddr for the re-attach
// ASCONF, and Endpoint.WatchAddresses for the node's moves. See
// docs/mobility.md.
package mobility
