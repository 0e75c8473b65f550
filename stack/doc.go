// Package stack is a userspace SCTP stack (RFC 9260) that runs over UDP
// (RFC 6951), so it needs no kernel SCTP module and no privileges.
//
// An Endpoint owns an SCTP port and a set of local addresses, each with a
// UDP socket. It dials associations (Endpoint.Dial) and, once listening,
// accepts them (Endpoint.Accept). Many associations share the endpoint's
// sockets, one per peer endpoint: Dial to a peer the endpoint already has
// an association with fails at once with an *AssociatedError (errors.Is
// ErrAssociated) that carries it, and Endpoint.Association finds it
// beforehand.
//
// An Association carries messages: SendMsg queues one message on a stream
// with a payload protocol identifier, optionally unordered or with a
// PR-SCTP lifetime; RecvMsg returns the next message with its stream, PPID
// and flags. Message boundaries are kept. Stream wraps one stream as a
// net.Conn, deadlines included. Events reports what happens to the
// association (up, lost, restart, shutdown complete, failed sends, path
// changes) without ever blocking it, and Stats returns its counters and the
// state of each path.
//
// Ending an association:
//   - Shutdown is the graceful close: everything queued is delivered and
//     acknowledged before the SHUTDOWN exchange; it waits for completion.
//   - Abort ends it at once with an ABORT; queued data is lost and
//     reported as failed sends.
//   - Close is Shutdown with a timeout of a few seconds, then Abort.
//
// An association's protocol state and single timer belong to whichever
// goroutine runs its loop's current round, one at a time: the socket
// reader that brought a packet, the caller of SendMsg or another API
// call, or the timer, whichever comes when no round runs; work that comes
// meanwhile is queued for the running one. Between rounds no goroutine
// waits for an association.
package stack
