//go:build !mobisctp_portable

package encap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"
	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"

	"github.com/mobisctp/mobisctp/internal/testenv"
)

// Tests of UDP GSO and GRO, on the host's loopback and on the pieces that
// the kernel cannot be made to exercise.

// requireOffload stops the test unless the kernel has UDP GSO and GRO.
func requireOffload(t *testing.T) {
	t.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(v4a, 0)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if !probeGSO(c) || !enableGRO(c) {
		testenv.Unavailable(t, "UDP GSO and GRO (Linux 5.0 or later)")
	}
}

// TestOffloadRun sends a run of equal datagrams and a shorter last one in
// one SendBatch, whole or each in pieces (Rest). They must arrive as sent,
// in order, on the right addresses, whether the receiver takes the run
// whole (GRO) or the kernel cuts it up first, and the counters must say
// which happened.
func TestOffloadRun(t *testing.T) {
	requireOffload(t)
	const count, size, last = 40, 1200, 300
	cases := []struct {
		name       string
		gso, gro   bool
		a, b       netip.Addr
		needIPv6   bool
		wantGROOut bool
	}{
		{"gso-gro", true, true, v4a, v4b, false, true},
		{"gso-nogro", true, false, v4a, v4b, false, false},
		{"nogso-gro", false, true, v4a, v4b, false, false},
		{"ipv6-gso-gro", true, true, v6, v6, true, true},
	}
	for _, tc := range cases {
		for _, inPieces := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/pieces=%v", tc.name, inPieces), func(t *testing.T) {
				if tc.needIPv6 {
					requireIPv6(t)
				}
				c := newCollector()
				a := open(t, Config{Addrs: []netip.Addr{tc.a}, NoOffload: !tc.gso}, ignore)
				b := open(t, Config{Addrs: []netip.Addr{tc.b}, NoOffload: !tc.gro}, c.handle)
				ds := numbered(count, size, last, endpoint(b, tc.b))
				send := ds
				if inPieces { // as the stack sends DATA: headers, then payloads where they lie
					send = make([]Datagram, len(ds))
					for i, d := range ds {
						send[i] = pieced(d.Data, 7, d.Remote)
					}
				}
				if err := a.SendBatch(send); err != nil {
					t.Fatal(err)
				}
				for i, d := range c.wait(t, len(ds)) {
					if !bytes.Equal(d.Data, ds[i].Data) || d.Local != endpoint(b, tc.b) || d.Remote != endpoint(a, tc.a) {
						t.Errorf("datagram %d: %d bytes starting %x, %v -> %v; want %d bytes starting %x, %v -> %v", i,
							len(d.Data), d.Data[:2], d.Remote, d.Local, len(ds[i].Data), ds[i].Data[:2], endpoint(a, tc.a), endpoint(b, tc.b))
					}
				}
				checkOffloadStats(t, a.Stats(), b.Stats(), tc.gso, tc.wantGROOut, len(ds))
			})
		}
	}
}

// checkOffloadStats checks the counters of sender and receiver of one run
// of n datagrams.
func checkOffloadStats(t *testing.T, sa, sb Stats, gso, gro bool, n int) {
	t.Helper()
	var sends, reads uint64
	if gso {
		sends = 1
	}
	if gro {
		reads = 1
	}
	if sa.GSOSends != sends || sa.GSOSegments != sends*uint64(n) || sa.DatagramsSent != uint64(n) || sa.SendErrors != 0 {
		t.Errorf("sender: GSOSends %d, GSOSegments %d, DatagramsSent %d, SendErrors %d; want %d, %d, %d, 0",
			sa.GSOSends, sa.GSOSegments, sa.DatagramsSent, sa.SendErrors, sends, sends*uint64(n), n)
	}
	if sb.GROReads != reads || sb.GROSegments != reads*uint64(n) || sb.DatagramsReceived != uint64(n) {
		t.Errorf("receiver: GROReads %d, GROSegments %d, DatagramsReceived %d; want %d, %d, %d",
			sb.GROReads, sb.GROSegments, sb.DatagramsReceived, reads, reads*uint64(n), n)
	}
}

// TestOffloadTruncated sends a run whose datagrams are longer than the
// receiver's MaxDatagram but for the last: only that one may arrive,
// whether the run arrives coalesced or not.
func TestOffloadTruncated(t *testing.T) {
	requireOffload(t)
	for _, gro := range []bool{true, false} {
		t.Run(fmt.Sprintf("gro=%v", gro), func(t *testing.T) {
			const limit = 1000
			c := newCollector()
			a := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
			b := open(t, Config{Addrs: []netip.Addr{v4b}, MaxDatagram: limit, NoOffload: !gro}, c.handle)
			ds := numbered(3, limit+500, limit, endpoint(b, v4b))
			if err := a.SendBatch(ds); err != nil {
				t.Fatal(err)
			}
			if d := c.wait(t, 1)[0]; !bytes.Equal(d.Data, ds[3].Data) {
				t.Errorf("received %d bytes starting %x, want the last datagram", len(d.Data), d.Data[:2])
			}
			// The kept datagram came last: the reader counted the others first.
			if st := b.Stats(); st.Truncated != 3 || st.DatagramsReceived != 1 {
				t.Errorf("Truncated %d, DatagramsReceived %d; want 3 and 1", st.Truncated, st.DatagramsReceived)
			}
		})
	}
}

// TestOffloadMixed sends one SendBatch to two receivers with runs of
// various sizes interleaved: each receiver gets its datagrams in order,
// and the sender used one GSO message per run of two or more.
func TestOffloadMixed(t *testing.T) {
	requireOffload(t)
	c1, c2 := newCollector(), newCollector()
	a := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
	b1 := open(t, Config{Addrs: []netip.Addr{v4b}}, c1.handle)
	b2 := open(t, Config{Addrs: []netip.Addr{netip.MustParseAddr("127.0.1.2")}, NoOffload: true}, c2.handle)
	d1, d2 := endpoint(b1, v4b), endpoint(b2, b2.LocalAddrs()[0])
	var ds []Datagram
	add := func(dst netip.AddrPort, sizes ...int) {
		for _, n := range sizes {
			data := bytes.Repeat([]byte{byte(len(ds))}, n)
			ds = append(ds, Datagram{Data: data, Remote: dst})
		}
	}
	add(d1, 500, 500, 500, 20) // a run of 4
	add(d2, 700)               // alone
	add(d1, 800, 900, 900)     // alone, then a run of 2
	add(d2, 300, 300)          // a run of 2
	if err := a.SendBatch(ds); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		c   *collector
		dst netip.AddrPort
	}{{c1, d1}, {c2, d2}} {
		var want []Datagram
		for _, d := range ds {
			if d.Remote == r.dst {
				want = append(want, d)
			}
		}
		for i, d := range r.c.wait(t, len(want)) {
			if !bytes.Equal(d.Data, want[i].Data) {
				t.Errorf("at %v, datagram %d: %d bytes of %d, want %d of %d", r.dst, i, len(d.Data), d.Data[0], len(want[i].Data), want[i].Data[0])
			}
		}
	}
	if st := a.Stats(); st.GSOSends != 3 || st.GSOSegments != 8 || st.DatagramsSent != uint64(len(ds)) {
		t.Errorf("GSOSends %d, GSOSegments %d, DatagramsSent %d; want 3, 8, %d", st.GSOSends, st.GSOSegments, st.DatagramsSent, len(ds))
	}
}

// TestRunLen cuts batches into runs as a GSO send would.
func TestRunLen(t *testing.T) {
	a, b := netip.MustParseAddrPort("192.0.2.1:9899"), netip.MustParseAddrPort("192.0.2.2:9899")
	type dg struct {
		to   netip.AddrPort
		size int
	}
	repeat := func(n, size int) []dg { return slices.Repeat([]dg{{a, size}}, n) }
	cases := []struct {
		name string
		in   []dg
		runs []int
	}{
		{"equal", repeat(5, 100), []int{5}},
		{"shorter last ends a run", []dg{{a, 100}, {a, 100}, {a, 50}, {a, 100}}, []int{3, 1}},
		{"longer starts a run", []dg{{a, 100}, {a, 200}, {a, 200}}, []int{1, 2}},
		{"destination", []dg{{a, 100}, {a, 100}, {b, 100}, {b, 100}, {a, 100}}, []int{2, 2, 1}},
		{"segment limit", repeat(gsoMaxSegments+6, 10), []int{gsoMaxSegments, 6}},
		{"byte limit", repeat(10, 9000), []int{7, 3}},
		{"byte limit exactly", []dg{{a, 32000}, {a, 32000}, {a, gsoMaxBytes - 64000}}, []int{3}},
		{"byte limit plus one", []dg{{a, 32000}, {a, 32000}, {a, gsoMaxBytes - 63999}}, []int{2, 1}},
		{"empty", []dg{{a, 0}, {a, 0}, {a, 100}, {a, 0}}, []int{1, 1, 1, 1}},
		{"too long", []dg{{a, 70000}, {a, 70000}}, []int{1, 1}},
		{"piece limit", repeat(60, 1000), []int{51, 9}}, // in 20 pieces each below
	}
	for _, tc := range cases {
		ds := make([]Datagram, len(tc.in))
		for i, d := range tc.in {
			ds[i] = Datagram{Data: make([]byte, d.size), Remote: d.to}
			if tc.name == "piece limit" {
				ds[i] = pieced(ds[i].Data, 20, d.to)
			}
		}
		var runs []int
		for rest := ds; len(rest) > 0; {
			n := runLen(rest)
			runs = append(runs, n)
			rest = rest[n:]
		}
		if !slices.Equal(runs, tc.runs) {
			t.Errorf("%s: runs %v, want %v", tc.name, runs, tc.runs)
		}
	}
}

// pieced returns a datagram of b's bytes to dst in n pieces (Data and
// n-1 in Rest), each in an array of its own.
func pieced(b []byte, n int, dst netip.AddrPort) Datagram {
	var ps [][]byte
	for i := range n {
		ps = append(ps, bytes.Clone(b[i*len(b)/n:(i+1)*len(b)/n]))
	}
	return Datagram{Data: ps[0], Rest: ps[1:], Remote: dst}
}

// TestFillRuns checks the messages of a GSO send: runs end to end under a
// control message with their segment size, lone datagrams as they are, no
// more messages than the scratch holds.
func TestFillRuns(t *testing.T) {
	dst := netip.MustParseAddrPort("192.0.2.1:9899")
	sizes := []int{100, 100, 60, 300, 400, 400, 5, 7}
	ds := make([]Datagram, len(sizes))
	for i, n := range sizes {
		ds[i] = Datagram{Data: bytes.Repeat([]byte{byte(i)}, n), Remote: dst}
	}
	ws := newWriteScratch(3, true) // room for three of the four runs
	ms := ws.fillRuns(ds)
	if !slices.Equal(ws.gso.runs, []int{3, 1, 3}) || len(ms) != 3 {
		t.Fatalf("runs %v in %d messages, want [3 1 3] in 3", ws.gso.runs, len(ms))
	}
	for i, want := range []struct {
		first, n, seg int
	}{{0, 3, 100}, {3, 1, 0}, {4, 3, 400}} {
		m := ms[i]
		payload := bytes.Join(dataOf(ds[want.first:want.first+want.n]), nil)
		if got := bytes.Join(m.Buffers, nil); !bytes.Equal(got, payload) || m.Addr.(*net.UDPAddr).AddrPort() != dst {
			t.Errorf("message %d: %d bytes to %v, want %d to %v", i, len(got), m.Addr, len(payload), dst)
		}
		if got := segmentOf(t, m); got != want.seg {
			t.Errorf("message %d: segment size %d, want %d", i, got, want.seg)
		}
	}
	if &ms[1].Buffers[0][0] != &ds[3].Data[0] {
		t.Error("a lone datagram was copied")
	}
}

// TestFillRunsInPlace: a run goes out where its bytes lie, never copied:
// as one piece if its datagrams lie back to back in one array, the first
// one's capacity reaching over the rest; otherwise a piece per datagram,
// or per piece of a datagram sent in pieces.
func TestFillRunsInPlace(t *testing.T) {
	dst := netip.MustParseAddrPort("192.0.2.1:9899")
	area := make([]byte, 0, 1000)
	var laid []Datagram
	for i, n := range []int{200, 200, 200, 50} {
		start := len(area)
		area = append(area, bytes.Repeat([]byte{byte(i)}, n)...)
		laid = append(laid, Datagram{Data: area[start:], Remote: dst})
	}
	cut := slices.Clone(laid)
	cut[0].Data = cut[0].Data[:200:200]
	apart := make([]Datagram, len(laid))
	inPieces := make([]Datagram, len(laid))
	for i, d := range laid {
		apart[i] = Datagram{Data: bytes.Clone(d.Data), Remote: dst}
		inPieces[i] = pieced(d.Data, 5, dst)
	}
	for _, tc := range []struct {
		name   string
		ds     []Datagram
		pieces int
	}{{"laid out", laid, 1}, {"capacity cut", cut, 2}, {"apart", apart, 4}, {"in pieces", inPieces, 20}} {
		ws := newWriteScratch(4, true)
		ms := ws.fillRuns(tc.ds)
		got := bytes.Join(ms[0].Buffers, nil)
		if len(ms) != 1 || !bytes.Equal(got, area) || segmentOf(t, ms[0]) != 200 {
			t.Fatalf("%s: %d messages, the first %d bytes, segment %d; want one of %d, segment 200", tc.name, len(ms), len(got), segmentOf(t, ms[0]), len(area))
		}
		if len(ms[0].Buffers) != tc.pieces {
			t.Errorf("%s: %d pieces, want %d", tc.name, len(ms[0].Buffers), tc.pieces)
		}
		var own []*byte // where the datagrams' pieces start
		for _, d := range tc.ds {
			own = append(own, &d.Data[0])
			for _, p := range d.Rest {
				own = append(own, &p[0])
			}
		}
		for i, b := range ms[0].Buffers {
			if !slices.Contains(own, &b[0]) {
				t.Errorf("%s: piece %d was copied", tc.name, i)
			}
		}
	}
}

func dataOf(ds []Datagram) [][]byte {
	var out [][]byte
	for _, d := range ds {
		out = append(out, d.Data)
	}
	return out
}

// segmentOf returns the UDP_SEGMENT size in m's control message, 0 if none.
func segmentOf(t *testing.T, m ipv4.Message) int {
	t.Helper()
	if m.OOB == nil {
		return 0
	}
	h, data, _, err := unix.ParseOneSocketControlMessage(m.OOB)
	if err != nil || h.Level != unix.SOL_UDP || h.Type != unix.UDP_SEGMENT || len(data) != 2 {
		t.Fatalf("control message %x: %+v, %v", m.OOB, h, err)
	}
	return int(binary.NativeEndian.Uint16(data))
}

// refusingConn fails every GSO message (one with a control message) with
// err, as a kernel or path that cannot segment does, and counts them.
type refusingConn struct {
	batchConn
	err      error
	refusals int
}

func (c *refusingConn) WriteBatch(ms []ipv4.Message, flags int) (int, error) {
	if ms[0].OOB != nil {
		c.refusals++
		return -1, &net.OpError{Op: "write", Net: "udp", Err: os.NewSyscallError("sendmmsg", c.err)}
	}
	for i, m := range ms { // send up to the next GSO message, as sendmmsg would stop there
		if m.OOB != nil {
			return c.batchConn.WriteBatch(ms[:i], flags)
		}
	}
	return c.batchConn.WriteBatch(ms, flags)
}

// TestGSORefused makes GSO sends fail: each run must go again without
// GSO, EIO and EINVAL must turn GSO off for the socket, and other errors
// must not.
func TestGSORefused(t *testing.T) {
	requireOffload(t)
	quiet := logging.NewDefaultLeveledLoggerForScope("encap", logging.LogLevelDisabled, io.Discard)
	for _, tc := range []struct {
		err     error
		staysOn bool
	}{{unix.EIO, false}, {unix.EINVAL, false}, {unix.EPERM, true}} {
		t.Run(tc.err.Error(), func(t *testing.T) {
			c := newCollector()
			b := open(t, Config{Addrs: []netip.Addr{v4b}}, c.handle)
			conn, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(v4a, 0)))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var st counters
			pio, _ := newBatchIO(conn, ioOptions{batch: 8, offload: true, stats: &st, log: quiet})
			m := pio.(*mmsgIO) // no reader runs: the test may swap the connection
			fake := &refusingConn{batchConn: m.bc, err: tc.err}
			m.bc = fake
			ds := numbered(5, 100, 30, endpoint(b, v4b))
			for _, batch := range [][]Datagram{ds[:4], ds[4:]} { // runs of 4 and 2
				if n, err := m.write(batch); n != len(batch) || err != nil {
					t.Fatalf("write: %d of %d sent, %v", n, len(batch), err)
				}
			}
			for i, d := range c.wait(t, len(ds)) {
				if !bytes.Equal(d.Data, ds[i].Data) {
					t.Errorf("datagram %d: %d bytes starting %x", i, len(d.Data), d.Data[:2])
				}
			}
			wantRefusals := 1
			if tc.staysOn {
				wantRefusals = 2
			}
			if m.gso.on.Load() != tc.staysOn || fake.refusals != wantRefusals || st.gsoSends.Load() != 0 {
				t.Errorf("GSO on %v after %d refusals, %d GSO sends counted; want %v after %d, none",
					m.gso.on.Load(), fake.refusals, st.gsoSends.Load(), tc.staysOn, wantRefusals)
			}
		})
	}
}

// TestGSOForcedOff turns a transport's GSO off as a refusal would: it must
// go on sending without it.
func TestGSOForcedOff(t *testing.T) {
	requireOffload(t)
	c := newCollector()
	a := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
	b := open(t, Config{Addrs: []netip.Addr{v4b}}, c.handle)
	(*a.socks.Load())[0].io.(*mmsgIO).gso.on.Store(false)
	ds := numbered(10, 500, 100, endpoint(b, v4b))
	if err := a.SendBatch(ds); err != nil {
		t.Fatal(err)
	}
	for i, d := range c.wait(t, len(ds)) {
		if !bytes.Equal(d.Data, ds[i].Data) {
			t.Errorf("datagram %d: %d bytes starting %x", i, len(d.Data), d.Data[:2])
		}
	}
	checkOffloadStats(t, a.Stats(), b.Stats(), false, false, len(ds))
}

// TestSplit cuts canned reads as the kernel's GRO delivers them, including
// a read cut short by its buffer, which the kernel should never produce.
func TestSplit(t *testing.T) {
	cases := []struct {
		name      string
		n, seg    int
		trunc     bool
		want      []int
		truncated uint64
	}{
		{"not coalesced", 250, 0, false, []int{250}, 0},
		{"one segment", 100, 100, false, []int{100}, 0},
		{"shorter last", 250, 100, false, []int{100, 100, 50}, 0},
		{"equal", 300, 100, false, []int{100, 100, 100}, 0},
		{"cut at a boundary", 300, 100, true, []int{100, 100, 100}, 1},
		{"cut in a segment", 250, 100, true, []int{100, 100}, 1},
	}
	for _, tc := range cases {
		var st counters
		m := &mmsgIO{rd: newMmsgReader(nil, 1), stats: &st} // no socket: the test plays the kernel
		m.gro.init(m.rd)
		h := &m.rd.hdrs[0].Hdr
		if tc.seg > 0 {
			putCmsgHeader(m.rd.oob[0], unix.SOL_UDP, unix.UDP_GRO, 4)
			binary.NativeEndian.PutUint32(m.rd.oob[0][unix.CmsgLen(0):], uint32(tc.seg))
			h.SetControllen(unix.CmsgLen(4))
		}
		if tc.trunc {
			h.Flags = unix.MSG_TRUNC
		}
		from := netip.MustParseAddrPort("192.0.2.1:9")
		out := m.split([]Datagram{{Data: make([]byte, tc.n), Remote: from}})
		var sizes []int
		for _, d := range out {
			sizes = append(sizes, len(d.Data))
			if cap(d.Data) != len(d.Data) || d.Remote != from {
				t.Errorf("%s: segment of %d bytes with capacity %d from %v", tc.name, len(d.Data), cap(d.Data), d.Remote)
			}
		}
		if !slices.Equal(sizes, tc.want) || st.truncated.Load() != tc.truncated {
			t.Errorf("%s: sizes %v, truncated %d; want %v, %d", tc.name, sizes, st.truncated.Load(), tc.want, tc.truncated)
		}
	}
}

// TestGROSegmentSizeMalformed feeds control data the kernel would not
// write: none of it may yield a segment size.
func TestGROSegmentSizeMalformed(t *testing.T) {
	other := make([]byte, unix.CmsgSpace(4))
	putCmsgHeader(other, unix.SOL_IP, unix.IP_TTL, 4)
	bad := make([]byte, unix.CmsgSpace(4))
	putCmsgHeader(bad, unix.SOL_UDP, unix.UDP_GRO, 4)
	bad = bad[:unix.CmsgLen(2)] // the header claims more than there is
	for name, oob := range map[string][]byte{"empty": nil, "short": {1, 2, 3}, "other": other, "overlong": bad} {
		if got := groSegmentSize(oob); got != 0 {
			t.Errorf("%s: segment size %d", name, got)
		}
	}
}

// keeper is a Handler that keeps what it receives without copying: the
// datagrams of a coalesced read in their Buffer, which it retains.
type keeper struct {
	mu   sync.Mutex
	got  []Datagram
	more chan struct{}
}

func (k *keeper) handle(batch []Datagram) {
	k.mu.Lock()
	for _, d := range batch {
		if d.Buffer != nil {
			d.Buffer.Retain()
		} else {
			d.Data = slices.Clone(d.Data)
		}
		k.got = append(k.got, d)
	}
	k.mu.Unlock()
	select {
	case k.more <- struct{}{}:
	default:
	}
}

// wait returns the first n datagrams kept.
func (k *keeper) wait(t *testing.T, n int) []Datagram {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		k.mu.Lock()
		got := slices.Clone(k.got)
		k.mu.Unlock()
		if len(got) >= n {
			return got[:n]
		}
		select {
		case <-k.more:
		case <-timeout:
			t.Fatalf("%d of %d datagrams arrived", len(got), n)
		}
	}
}

// sendTwice sends first from a, waits until k has it, then sends second
// with its bytes after the first two inverted, so that a reused read
// buffer would change what k kept from the first; it returns what k got
// and what was sent, in order.
func sendTwice(t *testing.T, a *Transport, k *keeper, first, second []Datagram) (got, sent []Datagram) {
	t.Helper()
	if err := a.SendBatch(first); err != nil {
		t.Fatal(err)
	}
	k.wait(t, len(first))
	for _, d := range second {
		for i := range d.Data[2:] {
			d.Data[2+i] = ^d.Data[2+i]
		}
	}
	if err := a.SendBatch(second); err != nil {
		t.Fatal(err)
	}
	sent = append(first, second...)
	return k.wait(t, len(sent)), sent
}

// TestGROBufferKept: a handler may keep the datagrams of a coalesced read
// by retaining their Buffer; later reads go elsewhere and leave them
// intact, and each Release undoes a Retain.
func TestGROBufferKept(t *testing.T) {
	requireOffload(t)
	const count, size = 20, 1000
	k := &keeper{more: make(chan struct{}, 1)}
	a := open(t, Config{Addrs: []netip.Addr{v4a}}, ignore)
	b := open(t, Config{Addrs: []netip.Addr{v4b}}, k.handle)
	got, want := sendTwice(t, a, k, numbered(count, size, size, endpoint(b, v4b)), numbered(count, size, size, endpoint(b, v4b)))
	kept := 0
	for i, d := range got {
		if !bytes.Equal(d.Data, want[i].Data) {
			t.Errorf("datagram %d changed after its read: starts %x, want %x", i, d.Data[:4], want[i].Data[:4])
		}
		if d.Buffer != nil {
			kept++
		}
	}
	if kept == 0 {
		t.Error("no datagram came in a Buffer to keep: was the run not coalesced?")
	}
	// The reader lets go of a kept buffer after the handler returns, so
	// one more datagram, read only after that, makes the counts final.
	if err := a.Send(numbered(1, size, size, endpoint(b, v4b))[0]); err != nil {
		t.Fatal(err)
	}
	k.wait(t, len(got)+1)
	for _, d := range got {
		if d.Buffer != nil {
			d.Buffer.Release()
		}
	}
	for _, d := range got {
		if d.Buffer != nil && d.Buffer.refs.Load() != 0 {
			t.Fatalf("a released buffer has %d references, want 0", d.Buffer.refs.Load())
		}
	}
}

// TestLargeDatagramBufferKept: without GRO, a datagram of at least
// minLentAlone bytes comes in a Buffer the handler may keep, as a
// coalesced read does, while a smaller one, which would pin the whole
// buffer, comes without; kept datagrams stay intact through later reads.
func TestLargeDatagramBufferKept(t *testing.T) {
	const count, size = 10, 4 * minLentAlone
	k := &keeper{more: make(chan struct{}, 1)}
	a := open(t, Config{Addrs: []netip.Addr{v4a}, NoOffload: true}, ignore)
	b := open(t, Config{Addrs: []netip.Addr{v4b}, NoOffload: true}, k.handle)
	got, sent := sendTwice(t, a, k, numbered(count, size, minLentAlone-1, endpoint(b, v4b)), numbered(count, size, minLentAlone, endpoint(b, v4b)))
	for i, d := range sent {
		if !bytes.Equal(got[i].Data, d.Data) {
			t.Errorf("datagram %d changed after its read: starts %x, want %x", i, got[i].Data[:4], d.Data[:4])
		}
		if lent := got[i].Buffer != nil; lent != (len(d.Data) >= minLentAlone) {
			t.Errorf("datagram %d of %d bytes: lent %v", i, len(d.Data), lent)
		}
	}
	for _, d := range got {
		if d.Buffer != nil {
			d.Buffer.Release()
		}
	}
}
