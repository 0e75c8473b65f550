package pcapng

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
)

// Sizes and field values of the synthesized headers.
const (
	ipv4HeaderLen = 20
	udpHeaderLen  = 8
	protoUDP      = 17
	hopLimit      = 64
	flagDontFrag  = 0x4000  // IPv4 flags and fragment offset: DF, offset 0
	versionIPv6   = 6 << 28 // IPv6 version, traffic class 0, flow label 0

	// The UDP length field (IPv6: also the payload length field) covers the
	// UDP header; the IPv4 total length field covers the IPv4 header too.
	maxPayloadV6 = 0xFFFF - udpHeaderLen
	maxPayloadV4 = maxPayloadV6 - ipv4HeaderLen
)

// errFamily reports endpoints of different address families.
var errFamily = errors.New("pcapng: source and destination differ in address family")

// appendPacket appends an IP packet carrying a UDP datagram from src to dst
// with the given payload to b. IPv4-mapped IPv6 addresses count as IPv4.
func appendPacket(b []byte, src, dst netip.AddrPort, payload []byte) ([]byte, error) {
	sa, da := src.Addr().Unmap(), dst.Addr().Unmap()
	if !sa.IsValid() || !da.IsValid() {
		return b, fmt.Errorf("pcapng: invalid endpoint %v or %v", src, dst)
	}
	if sa.Is4() != da.Is4() {
		return b, errFamily
	}
	limit := maxPayloadV6
	if sa.Is4() {
		limit = maxPayloadV4
	}
	if len(payload) > limit {
		return b, fmt.Errorf("pcapng: %d-byte payload exceeds the %d bytes an IP packet can carry", len(payload), limit)
	}
	if sa.Is4() {
		b = appendIPv4(b, sa, da, udpHeaderLen+len(payload))
	} else {
		b = appendIPv6(b, sa, da, udpHeaderLen+len(payload))
	}
	return appendUDP(b, sa, da, src.Port(), dst.Port(), payload), nil
}

// appendIPv4 appends an option-less IPv4 header for a UDP datagram of
// udpLen bytes (header included).
func appendIPv4(b []byte, src, dst netip.Addr, udpLen int) []byte {
	start := len(b)
	b = append(b, 0x45, 0) // version 4, IHL 5 words; DSCP/ECN 0
	b = binary.BigEndian.AppendUint16(b, uint16(ipv4HeaderLen+udpLen))
	b = binary.BigEndian.AppendUint16(b, 0) // identification: unused with DF set
	b = binary.BigEndian.AppendUint16(b, flagDontFrag)
	b = append(b, hopLimit, protoUDP, 0, 0) // TTL, protocol, checksum placeholder
	b = append(b, src.AsSlice()...)
	b = append(b, dst.AsSlice()...)
	binary.BigEndian.PutUint16(b[start+10:], ^fold(sum(0, b[start:])))
	return b
}

// appendIPv6 appends an IPv6 header without extension headers for a UDP
// datagram of udpLen bytes (header included).
func appendIPv6(b []byte, src, dst netip.Addr, udpLen int) []byte {
	b = binary.BigEndian.AppendUint32(b, versionIPv6)
	b = binary.BigEndian.AppendUint16(b, uint16(udpLen))
	b = append(b, protoUDP, hopLimit)
	s, d := src.As16(), dst.As16()
	b = append(b, s[:]...)
	return append(b, d[:]...)
}

// appendUDP appends the UDP header and payload. The checksum covers the
// pseudo-header of RFC 768 (IPv4) or RFC 8200 section 8.1 (IPv6); it is
// mandatory over IPv6 and cheap enough to compute for IPv4 too.
func appendUDP(b []byte, src, dst netip.Addr, sport, dport uint16, payload []byte) []byte {
	start := len(b)
	length := uint16(udpHeaderLen + len(payload))
	b = binary.BigEndian.AppendUint16(b, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint16(b, length)
	b = append(b, 0, 0) // checksum placeholder
	b = append(b, payload...)

	acc := sum(0, src.AsSlice())
	acc = sum(acc, dst.AsSlice())
	acc += protoUDP + uint64(length)
	csum := ^fold(sum(acc, b[start:]))
	if csum == 0 {
		csum = 0xFFFF // zero means "no checksum"; RFC 768 sends its ones' complement twin
	}
	binary.BigEndian.PutUint16(b[start+6:], csum)
	return b
}

// sum adds b to acc as big-endian 16-bit words (an odd trailing byte is
// padded with zero), deferring the end-around carry to fold.
func sum(acc uint64, b []byte) uint64 {
	for len(b) >= 2 {
		acc += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		acc += uint64(b[0]) << 8
	}
	return acc
}

// fold reduces a 64-bit accumulator to the 16-bit ones' complement sum.
func fold(acc uint64) uint16 {
	for acc > 0xFFFF {
		acc = acc>>16 + acc&0xFFFF
	}
	return uint16(acc)
}
