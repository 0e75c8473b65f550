package pcapng

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

type record struct {
	src, dst netip.AddrPort
	payload  []byte
}

// samples covers both families, a v4-mapped endpoint pair, odd and empty
// payloads, and a payload whose UDP checksum computes to zero.
func samples(t *testing.T) []record {
	v4a, v4b := netip.MustParseAddrPort("192.0.2.1:50001"), netip.MustParseAddrPort("198.51.100.7:50002")
	v6a, v6b := netip.MustParseAddrPort("[2001:db8::1]:50003"), netip.MustParseAddrPort("[2001:db8::2]:50004")
	mapped := netip.MustParseAddrPort("[::ffff:192.0.2.9]:50005")
	return []record{
		{v4a, v4b, []byte("hello over IPv4")},
		{v6a, v6b, []byte("hello over IPv6, odd length")},
		{mapped, v4b, []byte{1, 2, 3, 4}},
		{v4b, v4a, nil},
		{v6b, v6a, zeroChecksumPayload(t, v6b, v6a)},
		{v4a, v4b, bytes.Repeat([]byte{0xA5}, 1400)},
	}
}

// zeroChecksumPayload returns a two-byte payload that makes the UDP
// checksum of src->dst compute to zero, which must be sent as 0xFFFF.
func zeroChecksumPayload(t *testing.T, src, dst netip.AddrPort) []byte {
	pkt := appendUDP(nil, src.Addr(), dst.Addr(), src.Port(), dst.Port(), []byte{0, 0})
	// The checksum field holds ^s for the words summed so far; a payload
	// word equal to it raises the sum to 0xFFFF, whose complement is 0.
	word := binary.BigEndian.Uint16(pkt[6:])
	payload := binary.BigEndian.AppendUint16(nil, word)
	got := appendUDP(nil, src.Addr(), dst.Addr(), src.Port(), dst.Port(), payload)
	if c := binary.BigEndian.Uint16(got[6:]); c != 0xFFFF {
		t.Fatalf("checksum of the crafted payload = %#04x, want 0xFFFF (computed zero)", c)
	}
	return payload
}

func writeAll(t *testing.T, w *Writer, recs []record, ts time.Time) {
	t.Helper()
	for i, r := range recs {
		if err := w.WriteUDP(ts.Add(time.Duration(i)*time.Millisecond), r.src, r.dst, r.payload); err != nil {
			t.Fatalf("WriteUDP(%v -> %v): %v", r.src, r.dst, err)
		}
	}
}

func TestWriteUDPReadBack(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	recs := samples(t)
	ts := time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)
	writeAll(t, w, recs, ts)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	r, err := pcapgo.NewNgReader(&buf, pcapgo.DefaultNgReaderOptions)
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != layers.LinkTypeRaw {
		t.Fatalf("link type %v, want raw IP", r.LinkType())
	}
	for i, want := range recs {
		data, ci, err := r.ReadPacketData()
		if err != nil {
			t.Fatalf("packet %d: %v", i, err)
		}
		if wantTS := ts.Add(time.Duration(i) * time.Millisecond); !ci.Timestamp.Equal(wantTS) {
			t.Errorf("packet %d: timestamp %v, want %v", i, ci.Timestamp, wantTS)
		}
		checkPacket(t, i, data, want)
	}
	if _, _, err := r.ReadPacketData(); err != io.EOF {
		t.Fatalf("after the last packet: %v, want EOF", err)
	}
}

// checkPacket decodes one raw IP packet with gopacket and compares it with
// the datagram that was written.
func checkPacket(t *testing.T, i int, data []byte, want record) {
	t.Helper()
	p := gopacket.NewPacket(data, layers.LinkTypeRaw, gopacket.Default)
	if el := p.ErrorLayer(); el != nil {
		t.Fatalf("packet %d: decode error %v", i, el.Error())
	}
	var src, dst netip.Addr
	switch ip := p.NetworkLayer().(type) {
	case *layers.IPv4:
		src, dst = netip.AddrFrom4([4]byte(ip.SrcIP.To4())), netip.AddrFrom4([4]byte(ip.DstIP.To4()))
		if int(ip.Length) != len(data) || ip.IHL != 5 || ip.Protocol != layers.IPProtocolUDP {
			t.Errorf("packet %d: IPv4 length %d (packet %d), IHL %d, protocol %v", i, ip.Length, len(data), ip.IHL, ip.Protocol)
		}
	case *layers.IPv6:
		src, dst = netip.AddrFrom16([16]byte(ip.SrcIP)), netip.AddrFrom16([16]byte(ip.DstIP))
		if int(ip.Length) != len(data)-40 || ip.NextHeader != layers.IPProtocolUDP {
			t.Errorf("packet %d: IPv6 payload length %d (packet %d), next header %v", i, ip.Length, len(data), ip.NextHeader)
		}
	default:
		t.Fatalf("packet %d: network layer %T", i, ip)
	}
	if src != want.src.Addr().Unmap() || dst != want.dst.Addr().Unmap() {
		t.Errorf("packet %d: %v -> %v, want %v -> %v", i, src, dst, want.src.Addr(), want.dst.Addr())
	}
	udp, ok := p.TransportLayer().(*layers.UDP)
	if !ok {
		t.Fatalf("packet %d: transport layer %T", i, p.TransportLayer())
	}
	if uint16(udp.SrcPort) != want.src.Port() || uint16(udp.DstPort) != want.dst.Port() || int(udp.Length) != 8+len(want.payload) {
		t.Errorf("packet %d: UDP %d -> %d length %d", i, udp.SrcPort, udp.DstPort, udp.Length)
	}
	if !bytes.Equal(udp.Payload, want.payload) {
		t.Errorf("packet %d: payload %x, want %x", i, udp.Payload, want.payload)
	}
	if err := udp.SetNetworkLayerForChecksum(p.NetworkLayer()); err != nil {
		t.Fatal(err)
	}
	if err, bad := p.VerifyChecksums(); err != nil || len(bad) != 0 {
		t.Errorf("packet %d: checksums: %v %v", i, err, bad)
	}
}

func TestWriteUDPRejects(t *testing.T) {
	w, err := NewWriter(io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	v4, v6 := netip.MustParseAddrPort("192.0.2.1:1"), netip.MustParseAddrPort("[2001:db8::1]:2")
	cases := []struct {
		name     string
		src, dst netip.AddrPort
		size     int
	}{
		{"mixed families", v4, v6, 10},
		{"invalid source", netip.AddrPort{}, v4, 10},
		{"IPv4 payload too large", v4, v4, 65508},
		{"IPv6 payload too large", v6, v6, 65528},
	}
	for _, c := range cases {
		if err := w.WriteUDP(time.Now(), c.src, c.dst, make([]byte, c.size)); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
	for _, ok := range []struct {
		src, dst netip.AddrPort
		size     int
	}{{v4, v4, 65507}, {v6, v6, 65527}} {
		if err := w.WriteUDP(time.Now(), ok.src, ok.dst, make([]byte, ok.size)); err != nil {
			t.Errorf("largest %v payload: %v", ok.src.Addr(), err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteUDP(time.Now(), v4, v4, nil); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write after Close: %v, want os.ErrClosed", err)
	}
}

func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "concurrent.pcapng")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 200
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			src := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(40000+g))
			dst := netip.MustParseAddrPort("127.0.0.2:9899")
			for i := range each {
				if err := w.WriteUDP(time.Now(), src, dst, fmt.Appendf(nil, "writer %d packet %d", g, i)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	next := make([]int, writers) // per writer, packets must keep their order
	err = ReadUDP(path, func(d UDP) bool {
		var g, i int
		if _, err := fmt.Sscanf(string(d.Payload), "writer %d packet %d", &g, &i); err != nil || i != next[g] {
			t.Fatalf("payload %q (err %v), want packet %d of writer %d", d.Payload, err, next[g], g)
		}
		next[g]++
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	for g, n := range next {
		if n != each {
			t.Errorf("writer %d: %d packets in the file, want %d", g, n, each)
		}
	}
}

// TestTshark checks the file with an independent decoder: ports, no
// malformed frame, and good IPv4 and UDP checksums.
func TestTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tshark is required in CI: apt-get install tshark")
		}
		t.Skip("tshark not installed; the gopacket decoding tests still ran")
	}
	path := filepath.Join(t.TempDir(), "tshark.pcapng")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := samples(t)
	writeAll(t, w, recs, time.Now())
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tshark, "-r", path, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
		"-T", "fields", "-E", "separator=,",
		"-e", "udp.srcport", "-e", "udp.dstport", "-e", "_ws.malformed",
		"-e", "ip.checksum.status", "-e", "udp.checksum.status")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr // tshark warns there about running as root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v\n%s", err, stderr.Bytes())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(recs) {
		t.Fatalf("tshark printed %d lines, want %d:\n%s", len(lines), len(recs), out)
	}
	for i, line := range lines {
		f := strings.Split(line, ",")
		want4 := recs[i].src.Addr().Unmap().Is4()
		ipStatus := ""
		if want4 {
			ipStatus = "1" // good; IPv6 has no header checksum
		}
		wantLine := []string{fmt.Sprint(recs[i].src.Port()), fmt.Sprint(recs[i].dst.Port()), "", ipStatus, "1"}
		if strings.Join(f, ",") != strings.Join(wantLine, ",") {
			t.Errorf("packet %d: tshark %q, want %q", i, line, strings.Join(wantLine, ","))
		}
	}
}
