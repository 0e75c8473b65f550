package encap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
)

// TestExchange sends between every pair of addresses of two multi-homed
// transports and replies from where each datagram arrived: Local and
// Remote must name the right sockets in both directions.
func TestExchange(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		ca, cb := newCollector(), newCollector()
		a := openOn(t, n, 0, []int{0, 1}, nil, ca.handle)
		b := openOn(t, n, 1, []int{0, 1}, nil, cb.handle)

		var out []Datagram
		for _, la := range a.LocalAddrs() {
			for _, lb := range b.LocalAddrs() {
				out = append(out, Datagram{
					Data:   fmt.Appendf(nil, "%v>%v", la, lb),
					Local:  netip.AddrPortFrom(la, 0),
					Remote: endpoint(b, lb),
				})
			}
		}
		if err := a.SendBatch(out); err != nil {
			t.Fatal(err)
		}
		got := cb.wait(t, len(out))
		var replies []Datagram
		for _, d := range got {
			want := findByData(t, out, d.Data)
			if d.Local != want.Remote || d.Remote != endpoint(a, want.Local.Addr()) {
				t.Errorf("%q arrived on %v from %v", d.Data, d.Local, d.Remote)
			}
			replies = append(replies, Datagram{Data: append([]byte("re:"), d.Data...), Local: d.Local, Remote: d.Remote})
		}
		if err := b.SendBatch(replies); err != nil {
			t.Fatal(err)
		}
		for _, d := range ca.wait(t, len(replies)) {
			want := findByData(t, replies, d.Data)
			if d.Local != want.Remote || d.Remote != want.Local {
				t.Errorf("reply %q arrived on %v from %v, want on %v from %v", d.Data, d.Local, d.Remote, want.Remote, want.Local)
			}
		}
		if st := a.Stats(); st.DatagramsSent != 4 || st.DatagramsReceived != 4 || st.BytesSent == 0 || st.BytesReceived == 0 {
			t.Errorf("stats of a: %+v", st)
		}
	})
}

func findByData(t *testing.T, ds []Datagram, data []byte) Datagram {
	t.Helper()
	for _, d := range ds {
		if bytes.Equal(d.Data, data) {
			return d
		}
	}
	t.Fatalf("unexpected datagram %q", data)
	return Datagram{}
}

// TestEphemeralPortShared binds three addresses on port 0: they must share
// the port the first socket got.
func TestEphemeralPortShared(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		c := newCollector()
		a := openOn(t, n, 0, []int{0, 1, 2}, nil, ignore)
		b := openOn(t, n, 1, []int{0}, nil, c.handle)
		if a.Port() == 0 || a.Port() == b.Port() {
			t.Fatalf("ports %d and %d", a.Port(), b.Port())
		}
		dst := endpoint(b, n.addr(1, 0))
		for _, la := range a.LocalAddrs() {
			if err := a.Send(Datagram{Data: []byte("x"), Local: netip.AddrPortFrom(la, 0), Remote: dst}); err != nil {
				t.Fatal(err)
			}
		}
		var from []netip.AddrPort
		for _, d := range c.wait(t, 3) {
			from = append(from, d.Remote)
		}
		for i := range 3 {
			if want := endpoint(a, n.addr(0, i)); !slices.Contains(from, want) {
				t.Errorf("nothing from %v; got %v", want, from)
			}
		}
	})
}

// TestAddRemoveAddr changes the address set of a running transport.
func TestAddRemoveAddr(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		ca, cb := newCollector(), newCollector()
		a := openOn(t, n, 0, []int{0}, nil, ca.handle)
		b := openOn(t, n, 1, []int{0}, nil, cb.handle)
		a0, a1, dst := n.addr(0, 0), n.addr(0, 1), endpoint(b, n.addr(1, 0))
		from := func(la netip.Addr) Datagram {
			return Datagram{Data: []byte(la.String()), Local: netip.AddrPortFrom(la, 0), Remote: dst}
		}

		if err := a.AddAddr(a1); err != nil {
			t.Fatal(err)
		}
		if err := a.AddAddr(a1); !errors.Is(err, fs.ErrExist) {
			t.Errorf("adding %v twice: %v", a1, err)
		}
		if got := a.LocalAddrs(); !slices.Equal(got, []netip.Addr{a0, a1}) {
			t.Errorf("LocalAddrs = %v", got)
		}
		if err := a.Send(from(a1)); err != nil {
			t.Fatal(err)
		}
		if d := cb.wait(t, 1)[0]; d.Remote != endpoint(a, a1) {
			t.Errorf("sent from the new address, arrived from %v", d.Remote)
		}
		if err := b.Send(Datagram{Data: []byte("to new"), Remote: endpoint(a, a1)}); err != nil {
			t.Fatal(err)
		}
		if d := ca.wait(t, 1)[0]; d.Local != endpoint(a, a1) {
			t.Errorf("sent to the new address, arrived on %v", d.Local)
		}

		if err := a.RemoveAddr(a1); err != nil {
			t.Fatal(err)
		}
		if err := a.RemoveAddr(a1); !errors.Is(err, ErrNoSocket) {
			t.Errorf("removing %v twice: %v", a1, err)
		}
		if got := a.LocalAddrs(); !slices.Equal(got, []netip.Addr{a0}) {
			t.Errorf("LocalAddrs after removal = %v", got)
		}
		if err := a.Send(from(a1)); err != nil { // falls back to a0
			t.Fatal(err)
		}
		if d := cb.wait(t, 2)[1]; d.Remote != endpoint(a, a0) {
			t.Errorf("sent from the removed address, arrived from %v, want %v", d.Remote, endpoint(a, a0))
		}

		if err := a.AddAddr(a1); err != nil { // the port is free again on a1
			t.Fatalf("adding %v back: %v", a1, err)
		}
		for _, la := range []netip.Addr{a0, a1} {
			if err := a.RemoveAddr(la); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Send(from(a0)); !errors.Is(err, ErrNoSocket) {
			t.Errorf("send without sockets: %v", err)
		}
		if st := a.Stats(); st.NoSocket != 1 {
			t.Errorf("NoSocket = %d, want 1", st.NoSocket)
		}
	})
}

// TestTruncatedDropped sends datagrams around MaxDatagram: the longer ones
// are counted and dropped, never delivered cut.
func TestTruncatedDropped(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		const limit = 1000
		c := newCollector()
		a := openOn(t, n, 0, []int{0}, nil, ignore)
		b := openOn(t, n, 1, []int{0}, func(c *Config) { c.MaxDatagram = limit }, c.handle)
		dst := endpoint(b, n.addr(1, 0))
		sizes := []int{500, limit + 1, limit, 3000, 10}
		var ds []Datagram
		for i, size := range sizes {
			ds = append(ds, Datagram{Data: bytes.Repeat([]byte{byte(i)}, size), Remote: dst})
		}
		if err := a.SendBatch(ds); err != nil {
			t.Fatal(err)
		}
		got := c.wait(t, 3)
		for i, want := range []int{500, limit, 10} {
			if len(got[i].Data) != want {
				t.Errorf("datagram %d: %d bytes, want %d", i, len(got[i].Data), want)
			}
		}
		// The last datagram came after both long ones, which the reader
		// counts before it hands later datagrams to the handler.
		if st := b.Stats(); st.Truncated != 2 || st.DatagramsReceived != 3 {
			t.Errorf("Truncated = %d, DatagramsReceived = %d; want 2 and 3", st.Truncated, st.DatagramsReceived)
		}
	})
}

// TestBatchInOrder sends 1000 datagrams in one SendBatch call; all arrive,
// in order.
func TestBatchInOrder(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		const count = 1000
		c := newCollector()
		a := openOn(t, n, 0, []int{0}, nil, ignore)
		b := openOn(t, n, 1, []int{0}, nil, c.handle)
		ds := make([]Datagram, count)
		for i := range ds {
			ds[i] = Datagram{Data: binary.BigEndian.AppendUint32(make([]byte, 0, 100), uint32(i))[:100], Remote: endpoint(b, n.addr(1, 0))}
		}
		if err := a.SendBatch(ds); err != nil {
			t.Fatal(err)
		}
		for i, d := range c.wait(t, count) {
			if seq := binary.BigEndian.Uint32(d.Data); seq != uint32(i) {
				t.Fatalf("datagram %d carries sequence number %d", i, seq)
			}
		}
		if st := a.Stats(); st.DatagramsSent != count || st.BytesSent != 100*count || st.SendBatches != 1 {
			t.Errorf("sender stats %+v", st)
		}
		if st := b.Stats(); st.DatagramsReceived != count || st.ReadBatches == 0 || st.ReadBatches > count {
			t.Errorf("receiver stats %+v", st)
		}
	})
}

// TestConcurrentSenders sends from many goroutines at once through one
// socket; each goroutine's datagrams arrive complete and in order.
func TestConcurrentSenders(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		const senders, batches, per = 8, 20, 5
		c := newCollector()
		a := openOn(t, n, 0, []int{0}, nil, ignore)
		b := openOn(t, n, 1, []int{0}, nil, c.handle)
		dst := endpoint(b, n.addr(1, 0))
		var wg sync.WaitGroup
		for g := range senders {
			wg.Go(func() {
				for i := range batches {
					ds := make([]Datagram, per)
					for j := range ds {
						ds[j] = Datagram{Data: []byte{byte(g), byte(i*per + j)}, Remote: dst}
					}
					if err := a.SendBatch(ds); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		next := make([]byte, senders)
		for _, d := range c.wait(t, senders*batches*per) {
			g, seq := d.Data[0], d.Data[1]
			if seq != next[g] {
				t.Fatalf("sender %d: datagram %d arrived when %d was due", g, seq, next[g])
			}
			next[g]++
		}
	})
}

// TestClose checks that Close stops the readers and that the transport
// refuses work afterwards.
func TestClose(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		expectReaders(t, 0)
		cfg := n.config(0)
		cfg.Addrs = []netip.Addr{n.addr(0, 0), n.addr(0, 1), n.addr(0, 2)}
		tr, err := Open(cfg, ignore)
		if err != nil {
			t.Fatal(err)
		}
		if got := readers(); got != 3 {
			t.Errorf("%d readers running, want 3", got)
		}
		if err := tr.Close(); err != nil {
			t.Fatal(err)
		}
		expectReaders(t, 0)
		if err := tr.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		if err := tr.Send(Datagram{Data: []byte("x"), Remote: netip.AddrPortFrom(n.addr(1, 0), 9)}); !errors.Is(err, net.ErrClosed) {
			t.Errorf("Send after Close: %v", err)
		}
		if err := tr.AddAddr(n.addr(0, 0)); !errors.Is(err, net.ErrClosed) {
			t.Errorf("AddAddr after Close: %v", err)
		}
		if err := tr.RemoveAddr(n.addr(0, 0)); !errors.Is(err, net.ErrClosed) {
			t.Errorf("RemoveAddr after Close: %v", err)
		}
		if got := tr.LocalAddrs(); got != nil {
			t.Errorf("LocalAddrs after Close = %v", got)
		}
	})
}

// TestSendPieces sends datagrams given in pieces (Data and Rest): alone,
// as a run of equal ones (one GSO message where the OS has it) and mixed
// with whole ones. Each must arrive as its pieces joined, on every path:
// sendmsg, sendmmsg, GSO, one call per datagram and vnet.
func TestSendPieces(t *testing.T) {
	forEachNet(t, func(t *testing.T, n testNet) {
		c := newCollector()
		a := openOn(t, n, 0, []int{0}, nil, ignore)
		b := openOn(t, n, 1, []int{0}, nil, c.handle)
		dst := endpoint(b, b.LocalAddrs()[0])
		whole := numbered(6, 1000, 333, dst)
		var ds []Datagram
		for i, d := range whole {
			if i%4 == 3 {
				ds = append(ds, d) // whole, in the middle of a run
				continue
			}
			ds = append(ds, Datagram{Data: d.Data[:16], Rest: [][]byte{d.Data[16:300], nil, d.Data[300:]}, Remote: dst})
		}
		if err := a.Send(ds[0]); err != nil {
			t.Fatal(err)
		}
		if err := a.SendBatch(ds); err != nil {
			t.Fatal(err)
		}
		want := append(whole[:1:1], whole...)
		bytesSent := 0
		for i, d := range c.wait(t, len(want)) {
			bytesSent += len(want[i].Data)
			if !bytes.Equal(d.Data, want[i].Data) {
				t.Errorf("datagram %d: %d bytes starting %x, want %d starting %x", i, len(d.Data), d.Data[:2], len(want[i].Data), want[i].Data[:2])
			}
		}
		if st := a.Stats(); st.BytesSent != uint64(bytesSent) {
			t.Errorf("BytesSent %d, want %d", st.BytesSent, bytesSent)
		}
	})
}
