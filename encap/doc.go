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
//
// Where the kernel has them (Linux 4.18 and 5.0), those sockets also use
// UDP segmentation offload: a run of equal-size datagrams to one
// destination within a SendBatch goes to the kernel as one message, which it
// cuts up as late as it can (GSO), and the kernel may hand a reader such a
// run, or datagrams it coalesced, in one buffer, which the reader splits
// (GRO). The handler sees the same datagrams either way, but may get more
// of them per call than BatchSize. Config.NoOffload turns both off.
package encap
