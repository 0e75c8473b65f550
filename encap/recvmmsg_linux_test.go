//go:build !mobisctp_portable

package encap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/mobisctp/mobisctp/internal/testenv"
	"github.com/pion/logging"
	"golang.org/x/sys/unix"
)

// Tests of batch reads (recvmmsg_linux.go) on sockets that no reader
// goroutine owns: the test reads.

// batchSocket binds a UDP socket to a and returns its batch I/O, with GRO
// if gro, and its address. A read that waits longer than waitTimeout fails.
func batchSocket(t *testing.T, a netip.Addr, batch int, gro bool, st *counters) (*mmsgIO, netip.AddrPort) {
	t.Helper()
	pc, err := listen(nil, netip.AddrPortFrom(a, 0))
	if err != nil {
		t.Fatal(err)
	}
	conn := pc.(*net.UDPConn)
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetReadDeadline(time.Now().Add(waitTimeout)); err != nil {
		t.Fatal(err)
	}
	quiet := logging.NewDefaultLeveledLoggerForScope("encap", logging.LogLevelDisabled, io.Discard)
	pio, shape := newBatchIO(conn, ioOptions{batch: batch, offload: gro, stats: st, log: quiet})
	if shape.coalesced != gro {
		t.Fatalf("GRO %v, want %v", shape.coalesced, gro)
	}
	return pio.(*mmsgIO), netip.AddrPortFrom(a, conn.LocalAddr().(*net.UDPAddr).AddrPort().Port())
}

// readOnce makes one read of m into bufs and returns its datagrams and
// the buffers it filled.
func readOnce(t *testing.T, m *mmsgIO, bufs *readBuffers) ([]Datagram, int) {
	t.Helper()
	var got []Datagram
	var filled int
	if err := m.readEach(bufs.reset, func(ds []Datagram, n int) bool {
		got, filled = ds, n
		return false
	}); err != nil {
		t.Fatal(err)
	}
	return got, filled
}

// TestReadAllocs proves that steady-state batch reads allocate nothing,
// whether each buffer takes one datagram or a GRO run of them: a reader
// goroutine in one readEach, as the transport's, while the test sends.
func TestReadAllocs(t *testing.T) {
	if testenv.RaceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	for _, gro := range []bool{false, true} {
		t.Run(fmt.Sprintf("gro=%v", gro), func(t *testing.T) {
			if gro {
				requireOffload(t)
			}
			const batch = 8
			var st counters
			m, dst := batchSocket(t, v4b, batch, gro, &st)
			if err := m.conn.SetReadDeadline(time.Time{}); err != nil {
				t.Fatal(err)
			}
			tx := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore) // one GSO run per send where the kernel has it
			ds := numbered(batch-1, 100, 100, dst)
			size := 2048
			if gro {
				size = coalescedBufferSize
			}
			bufs := newReadBuffers(batch, size, false)
			var read atomic.Int64
			arrived := make(chan struct{}, 1)
			done := make(chan error, 1)
			go func() {
				done <- m.readEach(bufs.reset, func(ds []Datagram, _ int) bool {
					read.Add(int64(len(ds)))
					select {
					case arrived <- struct{}{}:
					default:
					}
					return true
				})
			}()
			var want int64
			timeout := time.After(waitTimeout) // made once: time.After allocates
			if allocs := testing.AllocsPerRun(100, func() {
				if err := tx.SendBatch(ds); err != nil {
					t.Fatal(err)
				}
				want += int64(len(ds))
				for read.Load() < want {
					select {
					case <-arrived:
					case <-timeout:
						t.Fatalf("%d of %d datagrams read", read.Load(), want)
					}
				}
			}); allocs != 0 {
				t.Errorf("sending and reading %d datagrams: %v allocations", len(ds), allocs)
			}
			m.conn.Close()
			if err := <-done; !errors.Is(err, net.ErrClosed) {
				t.Errorf("readEach after close: %v", err)
			}
			if gro && st.groReads.Load() == 0 {
				t.Error("no read was coalesced: the GRO path went untested")
			}
		})
	}
}

// TestReadSources checks the sources that batch reads report, each
// message its own: an IPv4 one in its 4-byte form, never IPv4-mapped.
func TestReadSources(t *testing.T) {
	cases := []struct {
		name string
		to   netip.Addr
		from []netip.Addr
	}{
		{"ipv4", v4b, []netip.Addr{v4a, netip.MustParseAddr("127.0.0.2"), v4a}},
		{"ipv6", v6, []netip.Addr{v6, v6}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.to.Is6() {
				requireIPv6(t)
			}
			m, dst := batchSocket(t, tc.to, len(tc.from), false, new(counters))
			want := make([]netip.AddrPort, len(tc.from))
			for i, a := range tc.from {
				c, err := listen(nil, netip.AddrPortFrom(a, 0))
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				want[i] = netip.AddrPortFrom(a, c.LocalAddr().(*net.UDPAddr).AddrPort().Port())
				if _, err := c.WriteTo([]byte{byte(i)}, net.UDPAddrFromAddrPort(dst)); err != nil {
					t.Fatal(err)
				}
			}
			bufs := newReadBuffers(len(tc.from), 16, false)
			for got := 0; got < len(tc.from); {
				ds, _ := readOnce(t, m, bufs)
				for _, d := range ds {
					if i := int(d.Data[0]); len(d.Data) != 1 || d.Remote != want[i] {
						t.Errorf("datagram %d: %d bytes from %v, want 1 from %v", i, len(d.Data), d.Remote, want[i])
					}
				}
				got += len(ds)
			}
		})
	}
}

// TestSourceDecoding decodes canned sockaddrs as the kernel writes them,
// including what loopback cannot produce: IPv6 scopes, which become zones,
// and names too short for their family.
func TestSourceDecoding(t *testing.T) {
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		t.Skipf("no loopback interface: %v", err)
	}
	v4 := func(a [4]byte, port uint16) unix.RawSockaddrInet6 {
		var sa unix.RawSockaddrInet6
		sa4 := (*unix.RawSockaddrInet4)(unsafe.Pointer(&sa))
		sa4.Family, sa4.Addr = unix.AF_INET, a
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa4.Port))[:], port)
		return sa
	}
	v6 := func(a string, port uint16, scope uint32) unix.RawSockaddrInet6 {
		sa := unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: netip.MustParseAddr(a).As16(), Scope_id: scope}
		binary.BigEndian.PutUint16((*[2]byte)(unsafe.Pointer(&sa.Port))[:], port)
		return sa
	}
	const noSuchIndex = 1 << 30
	cases := []struct {
		name string
		sa   unix.RawSockaddrInet6
		len  uint32
		want string
	}{
		{"ipv4", v4([4]byte{192, 0, 2, 1}, 0x1234), unix.SizeofSockaddrInet4, "192.0.2.1:4660"},
		{"ipv6", v6("2001:db8::1", 9899, 0), unix.SizeofSockaddrInet6, "[2001:db8::1]:9899"},
		{"ipv4-mapped", v6("::ffff:192.0.2.1", 9899, 0), unix.SizeofSockaddrInet6, "[::ffff:192.0.2.1]:9899"},
		{"scope", v6("fe80::1", 1, uint32(lo.Index)), unix.SizeofSockaddrInet6, "[fe80::1%" + lo.Name + "]:1"},
		{"unknown scope", v6("fe80::1", 1, noSuchIndex), unix.SizeofSockaddrInet6, "[fe80::1%1073741824]:1"},
		{"scope again", v6("fe80::2", 2, uint32(lo.Index)), unix.SizeofSockaddrInet6, "[fe80::2%" + lo.Name + "]:2"},
		{"short ipv4", v4([4]byte{192, 0, 2, 1}, 1), unix.SizeofSockaddrInet4 - 1, "invalid AddrPort"},
		{"short ipv6", v6("2001:db8::1", 1, 0), unix.SizeofSockaddrInet6 - 1, "invalid AddrPort"},
		{"no name", unix.RawSockaddrInet6{}, 0, "invalid AddrPort"},
	}
	r := newMmsgReader(nil, 1) // no socket: the test plays the kernel
	for _, tc := range cases {
		r.names[0], r.hdrs[0].Hdr.Namelen = tc.sa, tc.len
		if got := r.source(0); got.String() != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, got, tc.want)
		}
	}
}

// TestReadOffer: after a lone datagram a read offers minOffer messages,
// after a read that filled them all of its buffers.
func TestReadOffer(t *testing.T) {
	const batch = 64
	m, dst := batchSocket(t, v4b, batch, false, new(counters))
	tx := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
	bufs := newReadBuffers(batch, 2048, false)
	send := func(n int) {
		t.Helper()
		if err := tx.SendBatch(numbered(n-1, 100, 100, dst)); err != nil { // n datagrams
			t.Fatal(err)
		}
	}
	read := func() int {
		t.Helper()
		ds, filled := readOnce(t, m, bufs)
		if filled != len(ds) {
			t.Fatalf("%d datagrams in %d buffers", len(ds), filled)
		}
		return len(ds)
	}
	send(1)
	if n := read(); n != 1 {
		t.Fatalf("read %d datagrams, want 1", n)
	}
	send(20)
	var got []int
	for total := 0; total < 20; {
		n := read()
		got = append(got, n)
		total += n
	}
	if want := []int{minOffer, 20 - minOffer}; !slices.Equal(got, want) {
		t.Errorf("reads of %v datagrams, want %v", got, want)
	}
}

// TestReadEachWakes: a datagram that arrives while got handles the batch
// before it, after a read that found the socket empty, is read without
// another coming: readEach waits for the poller instead of reading until
// the socket says it is empty, and must not miss the readiness the new
// datagram set meanwhile.
func TestReadEachWakes(t *testing.T) {
	m, dst := batchSocket(t, v4b, 8, false, new(counters))
	tx := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
	send := func(i byte) {
		if err := tx.Send(Datagram{Data: []byte{i}, Remote: dst}); err != nil {
			t.Error(err)
		}
	}
	send(1)
	var got []byte
	err := m.readEach(newReadBuffers(8, 16, false).reset, func(ds []Datagram, _ int) bool {
		for _, d := range ds {
			got = append(got, d.Data[0])
		}
		if len(got) == 1 {
			send(2) // after the read that emptied the socket
			// Idle long enough for the poller to take the readiness in: a
			// reader that then started a new RawConn.Read would forget it.
			time.Sleep(20 * time.Millisecond)
		}
		return len(got) < 2
	})
	if err != nil {
		t.Fatalf("readEach: %v after datagrams %v (a missed wake-up waits for the read deadline)", err, got)
	}
	if !slices.Equal(got, []byte{1, 2}) {
		t.Errorf("datagrams %v, want [1 2]", got)
	}
}
