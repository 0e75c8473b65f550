// Package pcapng records UDP datagrams in pcapng files that Wireshark and
// tshark open directly.
//
// Userspace SCTP over UDP (RFC 6951) never passes through a capture point
// when it runs over a simulated network, and capturing on a real interface
// needs privileges. This package therefore writes what the transport itself
// sees: each datagram is wrapped in a synthesized IPv4 or IPv6 header and a
// UDP header, with correct lengths and checksums, and stored as a raw IP
// packet (LINKTYPE_RAW), so dissectors treat it like a captured one.
package pcapng
