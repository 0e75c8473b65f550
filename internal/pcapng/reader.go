package pcapng

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// UDP is one datagram read back from a capture.
type UDP struct {
	Time     time.Time
	Src, Dst netip.AddrPort
	Payload  []byte
}

// ReadUDP calls f for every UDP datagram of the capture file, in order,
// until f returns false. Frames that are not UDP over IP are skipped.
func ReadUDP(path string, f func(UDP) bool) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	r, err := pcapgo.NewNgReader(file, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		return err
	}
	for {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if d, ok := decodeUDP(data); ok {
			d.Time = ci.Timestamp
			if !f(d) {
				return nil
			}
		}
	}
}

// decodeUDP takes apart a raw IPv4 or IPv6 frame carrying UDP.
func decodeUDP(frame []byte) (UDP, bool) {
	pkt := gopacket.NewPacket(frame, layers.LinkTypeRaw, gopacket.Default)
	udp, ok := pkt.TransportLayer().(*layers.UDP)
	if !ok || pkt.NetworkLayer() == nil {
		return UDP{}, false
	}
	flow := pkt.NetworkLayer().NetworkFlow()
	src, _ := netip.AddrFromSlice(flow.Src().Raw())
	dst, _ := netip.AddrFromSlice(flow.Dst().Raw())
	return UDP{
		Src:     netip.AddrPortFrom(src.Unmap(), uint16(udp.SrcPort)),
		Dst:     netip.AddrPortFrom(dst.Unmap(), uint16(udp.DstPort)),
		Payload: udp.Payload,
	}, true
}
