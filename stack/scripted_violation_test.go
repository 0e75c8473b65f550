package stack

// Malformed AUTH parameters and chunks that only a peer with the tag can
// send are protocol violations, answered with an ABORT carrying a Protocol
// Violation cause, as Linux answers them: a CHUNKS parameter longer than
// 260 bytes (RFC 4895 section 3.2), a zero-length parameter in ASCONF or
// ASCONF-ACK (RFC 5061), an AUTH chunk too short for its HMAC (RFC 4895
// section 6.3).

import (
	"testing"
	"testing/synctest"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestInitChunkListTooLong: an INIT whose CHUNKS parameter lists 300
// chunk types gets an ABORT, and no cookie.
func TestInitChunkListTooLong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		init := peerInit(peerTag, peerTSN)
		init.Params = wire.AppendParam(nil, &wire.RandomParam{Number: make([]byte, 32)})
		init.Params = wire.AppendParam(init.Params, &wire.RawParam{Type: wire.ParamChunks, Value: make([]byte, 300)})
		init.Params = wire.AppendParam(init.Params, &wire.HMACAlgoParam{IDs: []wire.HMACID{wire.HMACSHA1}})
		r.peer.send(0, init)
		pk := r.peer.expect(peerTag, wire.TypeAbort)
		causeOf[wire.ProtocolViolationCause](t, pk.chunks[0])
		if n := r.associations(); n != 0 {
			t.Errorf("%d associations", n)
		}
	})
}

// TestProtocolViolationAborts: each malformed chunk, sent with the right
// tag behind a valid AUTH where one is needed, ends the association with
// an ABORT carrying a Protocol Violation cause.
func TestProtocolViolationAborts(t *testing.T) {
	zeroLength := wire.Params{0xC0, 0x01, 0, 0} // type Add IP Address, length 0
	cases := []struct {
		name string
		send func(r *authRig, s *authSession)
	}{
		{"ASCONF with a zero-length parameter", func(r *authRig, s *authSession) {
			r.sendSigned(s, &wire.Asconf{Serial: s.serial, Address: addrB, Params: zeroLength})
		}},
		{"ASCONF-ACK with a zero-length parameter", func(r *authRig, s *authSession) {
			r.sendSigned(s, &wire.AsconfAck{Serial: s.epTSN, Params: zeroLength})
		}},
		{"AUTH too short for its HMAC", func(r *authRig, s *authSession) {
			short := rawChunk{byte(wire.TypeAuth), 0, 0, 18, 0, 0, 0, byte(wire.HMACSHA256), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0}
			r.sendRaw(addrB, addrA, s.seal(r.t, s.epTag, short, &wire.Heartbeat{Info: []byte("hi")}))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newAuthRig(t, scriptedConfig())
				a, s := r.connectAuth()
				tc.send(r, s)
				wp := r.expectSigned(s, wire.TypeAbort)
				var ab wire.Chunk
				for _, c := range wp.chunks() {
					if c.Type() == wire.TypeAbort {
						ab = c
					}
				}
				causeOf[wire.ProtocolViolationCause](t, ab)
				waitDone(t, a)
			})
		})
	}
}
