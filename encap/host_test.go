package encap

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/mobisctp/mobisctp/internal/testenv"
)

// Tests on the host's loopback only: IPv6, kernel errors, socket buffers.

var (
	v4a, v4b = netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("127.0.1.1")
	v6       = netip.IPv6Loopback()
)

func forEachHostNet(t *testing.T, test func(t *testing.T, n hostNet)) {
	t.Run("offload", func(t *testing.T) { test(t, hostNet{batch: 0}) })
	t.Run("batch", func(t *testing.T) { test(t, hostNet{batch: 0, noOffload: true}) })
	t.Run("nobatch", func(t *testing.T) { test(t, hostNet{batch: 1}) })
}

func requireIPv6(t *testing.T) {
	t.Helper()
	c, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback})
	if err != nil {
		t.Skipf("no IPv6 loopback on this host: %v", err)
	}
	c.Close()
}

// TestAddressFamilies checks source selection across IPv4 and IPv6 and
// the handling of IPv4-mapped addresses.
func TestAddressFamilies(t *testing.T) {
	requireIPv6(t)
	forEachHostNet(t, func(t *testing.T, n hostNet) {
		c := newCollector()
		mapped := func(a netip.Addr) netip.Addr { return netip.AddrFrom16(a.As16()) }
		a := open(t, Config{Addrs: []netip.Addr{mapped(v4a), v6}, BatchSize: n.batch, NoOffload: n.noOffload}, ignore)
		b := open(t, Config{Addrs: []netip.Addr{v4b, v6}, BatchSize: n.batch, NoOffload: n.noOffload}, c.handle)
		if got := a.LocalAddrs(); got[0] != v4a || got[1] != v6 {
			t.Fatalf("LocalAddrs = %v, want the mapped address unmapped", got)
		}
		cases := []struct {
			name          string
			local, remote netip.AddrPort
			from, to      netip.AddrPort
		}{
			{"no source, IPv6 peer", netip.AddrPort{}, endpoint(b, v6), endpoint(a, v6), endpoint(b, v6)},
			{"IPv4 source, IPv6 peer", endpoint(a, v4a), endpoint(b, v6), endpoint(a, v6), endpoint(b, v6)},
			{"IPv4-mapped peer", netip.AddrPort{}, endpoint(b, mapped(v4b)), endpoint(a, v4a), endpoint(b, v4b)},
			{"IPv4-mapped source", endpoint(a, mapped(v4a)), endpoint(b, v4b), endpoint(a, v4a), endpoint(b, v4b)},
		}
		for i, tc := range cases {
			if err := a.Send(Datagram{Data: []byte(tc.name), Local: tc.local, Remote: tc.remote}); err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			d := c.wait(t, i+1)[i]
			if string(d.Data) != tc.name || d.Remote != tc.from || d.Local != tc.to {
				t.Errorf("%s: %q went %v -> %v, want %v -> %v", tc.name, d.Data, d.Remote, d.Local, tc.from, tc.to)
			}
		}
	})
}

// TestUnsendableSkipped mixes datagrams that cannot be sent into a batch:
// they are counted, every failure is returned (the OS's refusal as a
// SendError naming source and destination), the rest arrive.
func TestUnsendableSkipped(t *testing.T) {
	forEachHostNet(t, func(t *testing.T, n hostNet) {
		c := newCollector()
		a := open(t, Config{Addrs: []netip.Addr{v4a}, BatchSize: n.batch, NoOffload: n.noOffload}, ignore)
		b := open(t, Config{Addrs: []netip.Addr{v4b}, BatchSize: n.batch, NoOffload: n.noOffload}, c.handle)
		dst := endpoint(b, v4b)
		ds := []Datagram{
			{Data: []byte("first"), Remote: dst},
			{Data: make([]byte, 70000), Remote: dst}, // longer than any UDP datagram: EMSGSIZE
			{Data: []byte("second"), Remote: dst},
			{Data: []byte("nowhere"), Remote: netip.AddrPortFrom(v6, 9)}, // no IPv6 socket
			{Data: []byte("invalid"), Remote: netip.AddrPort{}},
			{Data: []byte("third"), Remote: dst},
		}
		err := a.SendBatch(ds)
		var se *SendError
		if !errors.As(err, &se) || se.Remote != dst || se.Local.Addr() != v4a || !errors.Is(err, ErrNoSocket) {
			t.Errorf("SendBatch: %v, want the EMSGSIZE failure from %v to %v and the missing sockets", err, v4a, dst)
		}
		for i, want := range []string{"first", "second", "third"} {
			if got := string(c.wait(t, 3)[i].Data); got != want {
				t.Errorf("datagram %d: %q, want %q", i, got, want)
			}
		}
		if st := a.Stats(); st.SendErrors != 1 || st.NoSocket != 2 || st.DatagramsSent != 3 {
			t.Errorf("SendErrors %d, NoSocket %d, DatagramsSent %d; want 1, 2, 3", st.SendErrors, st.NoSocket, st.DatagramsSent)
		}
		if err := a.Send(ds[3]); !errors.Is(err, ErrNoSocket) || !strings.Contains(err.Error(), "[::1]:9") {
			t.Errorf("Send to IPv6 without an IPv6 socket: %v", err)
		}
	})
}

// TestSocketBuffers checks the buffer sizes the kernel reports. As root on
// Linux, the FORCE options grant the request, which Linux reports doubled.
func TestSocketBuffers(t *testing.T) {
	const read, write = 3 << 20, 5 << 20
	tr := open(t, Config{Addrs: []netip.Addr{v4a, netip.MustParseAddr("127.0.0.2")}, ReadBuffer: read, WriteBuffer: write}, ignore)
	st := tr.Stats()
	t.Logf("granted: receive %d, send %d bytes", st.ReadBuffer, st.WriteBuffer)
	switch {
	case runtime.GOOS == "linux" && os.Geteuid() == 0:
		if st.ReadBuffer != 2*read || st.WriteBuffer != 2*write {
			t.Errorf("granted %d/%d, want %d/%d", st.ReadBuffer, st.WriteBuffer, 2*read, 2*write)
		}
	case st.ReadBuffer <= 0 || st.WriteBuffer <= 0:
		t.Errorf("granted %d/%d, want positive sizes", st.ReadBuffer, st.WriteBuffer)
	}
	if st := open(t, Config{Net: newVNet(t).nets[0], Addrs: []netip.Addr{(&vnetNet{}).addr(0, 0)}}, ignore).Stats(); st.ReadBuffer != 0 || st.WriteBuffer != 0 {
		t.Errorf("vnet granted %d/%d, want 0/0 (no socket buffers)", st.ReadBuffer, st.WriteBuffer)
	}
}

func TestOpenErrors(t *testing.T) {
	notLocal := netip.MustParseAddr("203.0.113.1") // documentation prefix, never bound here
	taken := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
	expectReaders(t, 1)
	cases := []struct {
		name string
		cfg  Config
		h    Handler
	}{
		{"no address", Config{}, ignore},
		{"nil handler", Config{Addrs: []netip.Addr{v4a}}, nil},
		{"duplicate address", Config{Addrs: []netip.Addr{v4a, netip.AddrFrom16(v4a.As16())}}, ignore},
		{"wildcard", Config{Addrs: []netip.Addr{netip.IPv4Unspecified()}}, ignore},
		{"multicast", Config{Addrs: []netip.Addr{netip.MustParseAddr("224.0.0.1")}}, ignore},
		{"invalid address", Config{Addrs: []netip.Addr{{}}}, ignore},
		{"port out of range", Config{Addrs: []netip.Addr{v4a}, Port: 70000}, ignore},
		{"negative size", Config{Addrs: []netip.Addr{v4a}, BatchSize: -1}, ignore},
		{"MaxDatagram too large", Config{Addrs: []netip.Addr{v4a}, MaxDatagram: 65536}, ignore},
		{"address not local", Config{Addrs: []netip.Addr{notLocal}}, ignore},
		{"port taken", Config{Addrs: []netip.Addr{v4b, v4a}, Port: taken.Port()}, ignore},
	}
	for _, c := range cases {
		if tr, err := Open(c.cfg, c.h); err == nil {
			tr.Close()
			t.Errorf("%s: Open succeeded", c.name)
		}
	}
	expectReaders(t, 1) // taken's: failed Opens leave none
	// The failed "port taken" Open bound v4b first: it must have released it.
	open(t, Config{Addrs: []netip.Addr{v4b}, Port: taken.Port()}, ignore)
}

// TestAddAddrErrors covers addresses that AddAddr refuses.
func TestAddAddrErrors(t *testing.T) {
	tr := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
	for _, a := range []netip.Addr{{}, netip.IPv6Unspecified(), netip.MustParseAddr("203.0.113.1")} {
		if err := tr.AddAddr(a); err == nil {
			t.Errorf("AddAddr(%v) succeeded", a)
		}
	}
	if got := tr.LocalAddrs(); len(got) != 1 {
		t.Errorf("LocalAddrs = %v after failed AddAddr", got)
	}
}

// sink is a UDP socket that nobody reads: a destination that costs the
// test process nothing per datagram (the kernel drops what overflows).
func sink(t *testing.T) netip.AddrPort {
	t.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(v4b, 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

// TestSendAllocs proves that steady-state sends allocate nothing.
func TestSendAllocs(t *testing.T) {
	if testenv.RaceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	forEachHostNet(t, func(t *testing.T, n hostNet) {
		tr := open(t, Config{Addrs: []netip.Addr{v4a}, BatchSize: n.batch, NoOffload: n.noOffload}, ignore)
		dst := sink(t)
		ds := make([]Datagram, 32)
		for i := range ds {
			ds[i] = Datagram{Data: bytes.Repeat([]byte{1}, 100), Local: endpoint(tr, v4a), Remote: dst}
			if i%2 == 1 { // in pieces, as the stack sends DATA
				ds[i].Rest = [][]byte{ds[i].Data[50:]}
				ds[i].Data = ds[i].Data[:50:50]
			}
		}
		if allocs := testing.AllocsPerRun(100, func() {
			if err := tr.SendBatch(ds); err != nil {
				t.Fatal(err)
			}
		}); allocs != 0 {
			t.Errorf("SendBatch of %d: %v allocations", len(ds), allocs)
		}
		for _, d := range ds[:2] {
			if allocs := testing.AllocsPerRun(100, func() {
				if err := tr.Send(d); err != nil {
					t.Fatal(err)
				}
			}); allocs != 0 {
				t.Errorf("Send of %d pieces: %v allocations", 1+len(d.Rest), allocs)
			}
		}
	})
}

// TestReadBatching holds the receiver in its handler while datagrams queue
// up in the kernel: once released, a batching reader takes many per read.
func TestReadBatching(t *testing.T) {
	forEachHostNet(t, func(t *testing.T, n hostNet) {
		const count = 200
		c := newCollector()
		held, release := make(chan struct{}), make(chan struct{})
		var once sync.Once
		b := open(t, Config{Addrs: []netip.Addr{v4b}, BatchSize: n.batch, NoOffload: n.noOffload}, func(ds []Datagram) {
			once.Do(func() { close(held); <-release })
			c.handle(ds)
		})
		a := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
		ds := make([]Datagram, count)
		for i := range ds {
			ds[i] = Datagram{Data: []byte{byte(i)}, Remote: endpoint(b, v4b)}
		}
		if err := a.Send(ds[0]); err != nil {
			t.Fatal(err)
		}
		<-held
		if err := a.SendBatch(ds[1:]); err != nil {
			t.Fatal(err)
		}
		close(release)
		c.wait(t, count)
		st := b.Stats()
		t.Logf("%d datagrams in %d reads", st.DatagramsReceived, st.ReadBatches)
		if batching := batchIO && n.batch != 1; batching && st.ReadBatches > count/2 {
			t.Errorf("%d reads for %d datagrams: not batching", st.ReadBatches, count)
		} else if !batching && st.ReadBatches != count {
			t.Errorf("%d reads for %d datagrams, want one each", st.ReadBatches, count)
		}
	})
}
