// Package encap is the UDP transport of SCTP over UDP (RFC 6951).
//
// A Transport binds one UDP socket per local IP address, all on the same
// port, reads from each in its own goroutine and hands the datagrams to a
// Handler in batches. Sends pick their socket by source address, so a
// multi-homed association can choose the address each packet leaves from;
// sockets can be added and removed while the transport runs, as addresses
// come and go. The package knows nothing of SCTP: it moves opaque datagrams.
//
// On Linux, sockets of the host network move up to Config.BatchSize
// datagrams per system call (recvmmsg and sendmmsg). Elsewhere, and over
// simulated networks such as pion's vnet, each datagram takes one call.
package encap
