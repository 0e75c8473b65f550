package stack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"
	"time"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// The state cookie (RFC 9260 section 5.1.3) carries everything needed to
// create the association when COOKIE ECHO arrives, so a server keeps no
// state for an INIT. Its layout is ours; the peer only echoes it:
//
//	 0  version (1), reserved (3)
//	 4  creation time, Unix milliseconds (8)
//	12  lifetime, milliseconds (4)
//	16  our verification tag (4)
//	20  our initial TSN (4)
//	24  our outbound streams (2), our inbound streams (2)
//	28  local tie-tag (4), peer tie-tag (4)
//	36  the INIT's source address (16), IPv4 mapped
//	52  the INIT's destination address (16), IPv4 mapped
//	68  the peer's SCTP port (2), ours (2)
//	72  length of the peer's INIT chunk (2), of our INIT ACK parameters (2)
//	76  the peer's INIT chunk, then our INIT ACK parameters
//	    HMAC-SHA-256 over everything before it (32)
//
// The addresses and ports bind the cookie to the INIT it answers: RFC 9260
// section 5.1.5 discards a COOKIE ECHO from other ports, and an address
// the INIT neither came from nor listed would let a blind attacker who
// once obtained a cookie set up associations in others' names. The UDP
// port is not bound: a NAT may change it between INIT and COOKIE ECHO
// (RFC 6951 section 5.4).
const (
	cookieVersion   = 2
	cookieHeaderLen = 76
	cookieMACLen    = sha256.Size
)

// Cookie errors.
var (
	errCookieInvalid = errors.New("state cookie invalid")
	errCookieStale   = errors.New("state cookie stale")
)

// cookie is a decoded state cookie.
type cookie struct {
	created   time.Time
	lifetime  time.Duration
	localTag  uint32
	localTSN  uint32
	localOS   uint16
	localMIS  uint16
	tieLocal  uint32
	tiePeer   uint32
	peerAddr  netip.Addr // where the INIT came from
	localAddr netip.Addr // where it arrived
	peerPort  uint16     // the INIT's source SCTP port
	localPort uint16     // and its destination port
	init      wire.Init  // the peer's INIT; Params alias the cookie
	ackParams wire.Params
}

// authParams returns our AUTH parameters as the INIT ACK carried them in
// the cookie, or nil if it carried none.
func (ck *cookie) authParams() *auth.Params {
	p, err := auth.ParseParams(ck.ackParams)
	if err != nil {
		return nil
	}
	return p
}

// appendCookie appends the signed cookie for ck (the INIT must be given
// encoded, as initChunk).
func appendCookie(b []byte, key []byte, ck *cookie, initChunk []byte) []byte {
	start := len(b)
	b = append(b, cookieVersion, 0, 0, 0)
	b = binary.BigEndian.AppendUint64(b, uint64(ck.created.UnixMilli()))
	b = binary.BigEndian.AppendUint32(b, uint32(ck.lifetime.Milliseconds()))
	b = binary.BigEndian.AppendUint32(b, ck.localTag)
	b = binary.BigEndian.AppendUint32(b, ck.localTSN)
	b = binary.BigEndian.AppendUint16(b, ck.localOS)
	b = binary.BigEndian.AppendUint16(b, ck.localMIS)
	b = binary.BigEndian.AppendUint32(b, ck.tieLocal)
	b = binary.BigEndian.AppendUint32(b, ck.tiePeer)
	peer, local := ck.peerAddr.As16(), ck.localAddr.As16()
	b = append(b, peer[:]...)
	b = append(b, local[:]...)
	b = binary.BigEndian.AppendUint16(b, ck.peerPort)
	b = binary.BigEndian.AppendUint16(b, ck.localPort)
	b = binary.BigEndian.AppendUint16(b, uint16(len(initChunk)))
	b = binary.BigEndian.AppendUint16(b, uint16(len(ck.ackParams)))
	b = append(b, initChunk...)
	b = append(b, ck.ackParams...)
	mac := hmac.New(sha256.New, key)
	mac.Write(b[start:])
	return mac.Sum(b)
}

// openCookie verifies the signature and freshness of a cookie and decodes
// it. A stale cookie decodes and returns errCookieStale together with how
// long past its lifetime it is.
func openCookie(raw []byte, key []byte, now time.Time) (*cookie, time.Duration, error) {
	if len(raw) < cookieHeaderLen+cookieMACLen {
		return nil, 0, errCookieInvalid
	}
	body, sum := raw[:len(raw)-cookieMACLen], raw[len(raw)-cookieMACLen:]
	mac := hmac.New(sha256.New, key)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), sum) || body[0] != cookieVersion {
		return nil, 0, errCookieInvalid
	}
	ck := &cookie{
		created:   time.UnixMilli(int64(binary.BigEndian.Uint64(body[4:]))),
		lifetime:  time.Duration(binary.BigEndian.Uint32(body[12:])) * time.Millisecond,
		localTag:  binary.BigEndian.Uint32(body[16:]),
		localTSN:  binary.BigEndian.Uint32(body[20:]),
		localOS:   binary.BigEndian.Uint16(body[24:]),
		localMIS:  binary.BigEndian.Uint16(body[26:]),
		tieLocal:  binary.BigEndian.Uint32(body[28:]),
		tiePeer:   binary.BigEndian.Uint32(body[32:]),
		peerAddr:  netip.AddrFrom16([16]byte(body[36:52])).Unmap(),
		localAddr: netip.AddrFrom16([16]byte(body[52:68])).Unmap(),
		peerPort:  binary.BigEndian.Uint16(body[68:]),
		localPort: binary.BigEndian.Uint16(body[70:]),
	}
	initLen := int(binary.BigEndian.Uint16(body[72:]))
	paramsLen := int(binary.BigEndian.Uint16(body[74:]))
	// The signature vouches for these lengths; check them anyway, so a
	// leaked key cannot crash us.
	if cookieHeaderLen+initLen+paramsLen != len(body) {
		return nil, 0, errCookieInvalid
	}
	initChunk, err := wire.ParseChunk(body[cookieHeaderLen : cookieHeaderLen+initLen])
	if err != nil || ck.init.Decode(initChunk) != nil {
		return nil, 0, errCookieInvalid
	}
	ck.ackParams = wire.Params(body[cookieHeaderLen+initLen:])
	if late := now.Sub(ck.created.Add(ck.lifetime)); late > 0 {
		return ck, late, errCookieStale
	}
	return ck, 0, nil
}

// bind records the addresses and ports of the INIT in pkt, which arrived
// at local from remote.
func (ck *cookie) bind(pkt wire.Packet, local, remote netip.Addr) {
	ck.peerAddr, ck.localAddr = remote.Unmap(), local.Unmap()
	ck.peerPort, ck.localPort = pkt.SrcPort(), pkt.DstPort()
}

// boundTo reports whether a COOKIE ECHO in pkt, from remote to local, may
// use the cookie (RFC 9260 section 5.1.5 step 3): both SCTP ports and our
// tag as in the INIT ACK, a source address the INIT came from or listed,
// and a destination the INIT reached or our INIT ACK listed.
func (ck *cookie) boundTo(pkt wire.Packet, local, remote netip.Addr) bool {
	if pkt.SrcPort() != ck.peerPort || pkt.DstPort() != ck.localPort || pkt.VerificationTag() != ck.localTag {
		return false
	}
	return (remote == ck.peerAddr || slices.Contains(parsePeerParams(ck.init.Params).addrs, remote)) &&
		(local == ck.localAddr || slices.Contains(parsePeerParams(ck.ackParams).addrs, local))
}
