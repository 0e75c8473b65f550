// Package perf measures SCTP throughput between two endpoints, like tsctp
// or iperf: a client sends a deterministic pseudorandom payload for a time
// or byte budget, a server counts it and can echo it back.
//
// Both sides hash the payload of every stream, in order, with SHA-256, so
// comparing the two reports proves that every byte arrived intact. The
// server hashes whatever it receives, which lets it measure peers it did
// not write, such as usrsctp's tsctp and client programs.
//
// Every association yields one Report, printed as a human-readable summary
// or as one JSON object.
package perf
