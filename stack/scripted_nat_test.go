package stack

// RFC 6951 section 5.4: the peer's UDP port, per destination address, is
// taken from packets whose verification tag checked out, so a NAT that
// gives the peer a new port mid-association, or a peer that restarts
// behind a new mapping, keeps being reachable, and a forged packet moves
// nothing.

import (
	"testing"
	"testing/synctest"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// natPort is the UDP port a NAT gives the scripted peer after rebinding.
const natPort = 40000

// TestNATRebindingLearned: the peer's packets come from a new UDP port and
// the old one is gone; the endpoint answers there and sends its data there.
func TestNATRebindingLearned(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		r.peer.rebind(natPort).Close() // whatever goes to the old port is lost
		r.expectData(s)
		sendString(t, a, "to the new port")
		if pk := r.peer.expect(s.tag, wire.TypeData); pk.udpPort != natPort {
			t.Errorf("DATA arrived at UDP port %d, want %d", pk.udpPort, natPort)
		}
		if n := a.Stats().PortChanges; n != 1 {
			t.Errorf("PortChanges = %d, want 1", n)
		}
	})
}

// TestNATRebindingNeedsTag: a packet from a new UDP port with a wrong
// verification tag is dropped and does not move the association there.
func TestNATRebindingNeedsTag(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		r.peer.rebind(natPort) // both ports stay open: where does DATA go?
		r.peer.send(s.epTag+1, s.data(0, "forged", wire.FlagImmediate))
		r.peer.expectSilence(waitLimit / 10)
		sendString(t, a, "to the old port")
		if pk := r.peer.expect(s.tag, wire.TypeData); pk.udpPort != DefaultUDPPort {
			t.Errorf("DATA arrived at UDP port %d, want the old one, %d", pk.udpPort, DefaultUDPPort)
		}
		if n := a.Stats().PortChanges; n != 0 {
			t.Errorf("PortChanges = %d, want 0", n)
		}
	})
}

// TestRestartFromNewPort: the peer restarts behind a new NAT mapping
// (section 5.2.4 case A, from a new UDP port). INIT ACK and COOKIE ACK go
// to the port the INIT and COOKIE ECHO came from, and the restarted
// association lives on at the new port.
func TestRestartFromNewPort(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, old := r.connect()
		r.peer.rebind(natPort).Close()
		s := r.restart(old.tag+1, old.tsn+1000) // fails unless both answers reach the new port
		waitEvent(t, a, EventRestart)
		r.expectData(s)
		sendString(t, a, "after the restart")
		if pk := r.peer.expect(s.tag, wire.TypeData); pk.udpPort != natPort {
			t.Errorf("DATA arrived at UDP port %d, want %d", pk.udpPort, natPort)
		}
	})
}
