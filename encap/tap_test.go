package encap

import (
	"bytes"
	"io"
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/mobisctp/mobisctp/internal/pcapng"
)

// TestTap records an exchange and reads the capture back: every datagram
// sent and received appears once, whole, with the addresses it really used.
func TestTap(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		var capture bytes.Buffer
		tap, err := pcapng.NewWriter(&capture)
		if err != nil {
			t.Fatal(err)
		}
		ca, cb := newCollector(), newCollector()
		a := openOn(t, n, 0, []int{0, 1}, func(c *Config) { c.Tap = tap }, ca.handle)
		b := openOn(t, n, 1, []int{0}, nil, cb.handle)
		a0, b0 := endpoint(a, n.addr(0, 0)), endpoint(b, n.addr(1, 0))

		// a has no socket on the requested source, so the datagram leaves
		// from a0: the tap must record the source actually used. It goes
		// in pieces, which the tap records joined.
		unbound := endpoint(a, n.addr(0, 2))
		if err := a.Send(Datagram{Data: []byte("pi"), Rest: [][]byte{[]byte("n"), []byte("g")}, Local: unbound, Remote: b0}); err != nil {
			t.Fatal(err)
		}
		d := cb.wait(t, 1)[0]
		if err := b.Send(Datagram{Data: []byte("pong"), Local: d.Local, Remote: d.Remote}); err != nil {
			t.Fatal(err)
		}
		ca.wait(t, 1)
		if err := a.Close(); err != nil { // stops a's readers, the tap's last users
			t.Fatal(err)
		}
		if err := tap.Close(); err != nil {
			t.Fatal(err)
		}

		want := []struct {
			src, dst netip.AddrPort
			payload  string
		}{{a0, b0, "ping"}, {b0, a0, "pong"}}
		r, err := pcapgo.NewNgReader(&capture, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			data, _, err := r.ReadPacketData()
			if err != nil {
				t.Fatalf("packet %d: %v", i, err)
			}
			p := gopacket.NewPacket(data, layers.LinkTypeRaw, gopacket.Default)
			ip, _ := p.NetworkLayer().(*layers.IPv4)
			udp, _ := p.TransportLayer().(*layers.UDP)
			if ip == nil || udp == nil {
				t.Fatalf("packet %d does not decode as IPv4/UDP: %v", i, p)
			}
			src := netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip.SrcIP.To4())), uint16(udp.SrcPort))
			dst := netip.AddrPortFrom(netip.AddrFrom4([4]byte(ip.DstIP.To4())), uint16(udp.DstPort))
			if src != w.src || dst != w.dst || string(udp.Payload) != w.payload {
				t.Errorf("packet %d: %v -> %v %q, want %v -> %v %q", i, src, dst, udp.Payload, w.src, w.dst, w.payload)
			}
		}
		if _, _, err := r.ReadPacketData(); err != io.EOF {
			t.Errorf("more packets than datagrams (err %v)", err)
		}
		if st := a.Stats(); st.TapErrors != 0 {
			t.Errorf("TapErrors = %d", st.TapErrors)
		}
	})
}
