package stack

// Packets a blind attacker can forge without the secrets they lack: a
// packet whose CRC32c does not match, and a HEARTBEAT ACK without the
// nonce of our HEARTBEAT (RFC 9260 sections 6.8 and 8.3).

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestBadChecksumDropped: an INIT with a wrong CRC32c gets no answer and
// is counted.
func TestBadChecksumDropped(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		b := wire.Header{SrcPort: peerPort, DstPort: sutPort}.Append(nil)
		b = peerInit(peerTag, peerTSN).Append(b)
		wire.SetChecksum(b)
		b[8] ^= 1 // the checksum field
		if err := r.peer.conn.Send(encap.Datagram{Data: b, Remote: r.peer.dst}); err != nil {
			t.Fatal(err)
		}
		r.peer.expectSilence(time.Second)
		if n := r.ep.Stats().BadChecksum; n != 1 {
			t.Errorf("BadChecksum = %d, want 1", n)
		}
	})
}

// TestForgedHeartbeatAck: a HEARTBEAT ACK naming an unconfirmed address,
// with the right tag but not the nonce sent there, confirms nothing and
// is counted.
func TestForgedHeartbeatAck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		init := peerInit(peerTag, peerTSN)
		init.Params = wire.AppendParam(nil, &wire.AddressParam{Addr: addrC})
		_, s := r.initAck(init)
		r.peer.send(s.epTag, &wire.CookieEcho{Cookie: s.cookie})
		r.peer.expect(s.tag, wire.TypeCookieAck)
		a := r.accept()
		info := make([]byte, hbInfoLen)
		addr := addrC.As16()
		copy(info[hbRemoteOff:], addr[:])
		r.peer.send(s.epTag, &wire.HeartbeatAck{Info: info})
		r.expectData(s)
		for _, p := range a.Paths() {
			if p.Remote.Addr() == addrC && p.State != PathUnconfirmed {
				t.Errorf("path to %v is %v after a forged HEARTBEAT ACK", addrC, p.State)
			}
		}
		if n := a.Stats().HeartbeatsForged; n != 1 {
			t.Errorf("HeartbeatsForged = %d, want 1", n)
		}
	})
}
