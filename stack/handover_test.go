package stack

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// Break-before-make moves on the simulated network, in virtual time: one
// side's only address goes, and after a gap a new one appears.

// moveAddr is where the moving side goes.
var moveAddr = netip.MustParseAddr("203.0.113.9")

// asconfLog records the ASCONF chunks on the wire: when, from where, to
// where, and the chunks.
type asconfLog struct {
	mu   sync.Mutex
	sent []sentAsconf
}

type sentAsconf struct {
	at       time.Time
	src, dst netip.Addr
	chunks   []wire.Asconf
}

func watchAsconfs(n *simnet.Network, also func(ts time.Time, dst netip.AddrPort, data []byte, fate simnet.Fate)) *asconfLog {
	l := &asconfLog{}
	n.OnPacket(func(ts time.Time, src, dst netip.AddrPort, data []byte, fate simnet.Fate) {
		if also != nil {
			also(ts, dst, data, fate)
		}
		var cs []wire.Asconf
		it := wire.Packet(data).Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			var a wire.Asconf
			if c.Type() == wire.TypeAsconf && a.Decode(c) == nil {
				a.Params = slices.Clone(a.Params)
				cs = append(cs, a)
			}
		}
		if len(cs) > 0 {
			l.mu.Lock()
			l.sent = append(l.sent, sentAsconf{ts, src.Addr(), dst.Addr(), cs})
			l.mu.Unlock()
		}
	})
	return l
}

func (l *asconfLog) all() []sentAsconf {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.sent)
}

// reqString renders an ASCONF's requests as "Op addr, ...".
func reqString(t *testing.T, c wire.Asconf) string {
	t.Helper()
	var out []string
	it := c.Params.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		var r wire.AddressRequestParam
		if err := r.Decode(p); err != nil {
			t.Fatalf("request in our ASCONF: %v", err)
		}
		out = append(out, fmt.Sprintf("%s %s", r.Type, r.Address))
	}
	return fmt.Sprint(out)
}

// tagsOf returns the verification tags of an association.
func tagsOf(a *Association) (local, peer uint32) {
	a.exec(func(time.Time) { local, peer = a.localTag, a.peerTag })
	return local, peer
}

// arrivals receives n paced messages at a and returns when each arrived,
// checking that each is intact and in order.
func arrivals(t *testing.T, a *Association, n int) []time.Time {
	t.Helper()
	buf := make([]byte, 1000)
	out := make([]time.Time, 0, n)
	for i := range n {
		k, _, err := a.RecvMsg(context.Background(), buf)
		if err != nil || string(buf[:k]) != string(payload(i, 200)) {
			t.Errorf("message %d: %v (len %d)", i, err, k)
			break
		}
		out = append(out, time.Now())
	}
	return out
}

// pace sends n 200-byte messages from a, one every gap.
func pace(t *testing.T, a *Association, n int, gap time.Duration) {
	for i := range n {
		if err := a.SendMsg(context.Background(), payload(i, 200), SendInfo{}); err != nil {
			t.Error(err)
			return
		}
		time.Sleep(gap)
	}
}

// firstAfter returns the first time in ts after t.
func firstAfter(ts []time.Time, t time.Time) time.Duration {
	for _, x := range ts {
		if x.After(t) {
			return x.Sub(t)
		}
	}
	return -1
}

// moveCase is one break-before-make scenario.
type moveCase struct {
	server bool          // the server moves, else the client
	gap    time.Duration // from the old address going to the new one appearing
	toData bool          // the moving side sends the data, else receives it
}

func (c moveCase) String() string {
	who, dir := "client", "receiving"
	if c.server {
		who = "server"
	}
	if c.toData {
		dir = "sending"
	}
	return fmt.Sprintf("%s %s gap %v", who, dir, c.gap)
}

// TestBreakBeforeMake moves one side (client or server, sending or
// receiving a paced stream) from its only address to a new one at the
// same instant (both changes in one report) or after a gap of 1 s and
// 10 s. One ASCONF goes from the new address: Add IP (new),
// Set Primary (new), Delete IP (old), with the old address as Address
// Parameter; never a Delete of the last address on its own. The same
// association carries on, every message arrives once and in order, and
// the first message after the new address appeared arrives within what
// the endpoint waits before it uses the address (the 10 ms the simulated
// watcher takes to notice, and settleHold, or AddressHold when the old
// address is not given up yet) plus two round trips (the
// ASCONF and its ACK; the heartbeat that confirms the new path) plus the
// one-way delay of the data. Nothing waits for an RTO: what was lost in
// flight goes again at once, on either side.
func TestBreakBeforeMake(t *testing.T) {
	var cases []moveCase
	for _, server := range []bool{false, true} {
		for _, gap := range []time.Duration{0, time.Second, 10 * time.Second} {
			for _, toData := range []bool{false, true} {
				cases = append(cases, moveCase{server, gap, toData})
			}
		}
	}
	for _, tc := range cases {
		t.Run(tc.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { breakBeforeMake(t, tc) })
		})
	}
}

func breakBeforeMake(t *testing.T, tc moveCase) {
	n := simnet.New(41)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
	hc := n.AddHost("client", cli1)
	hs := n.AddHost("server", srv1)
	mover, old := hc, cli1
	if tc.server {
		mover, old = hs, srv1
	}
	auto := func(h *simnet.Host) Config {
		return Config{AutoASCONF: true, AutoSetPrimary: true, AddressWatcher: h.Watch()}
	}
	srv := simEndpoint(t, hs, auto(hs), true)
	cli := simEndpoint(t, hc, auto(hc), false)
	ca, sa := connect(t, cli, srv, srv1)
	moving, staying := ca, sa
	if tc.server {
		moving, staying = sa, ca
	}
	src, dst := staying, moving
	if tc.toData {
		src, dst = moving, staying
	}
	ltag, ptag := tagsOf(moving)
	log := watchAsconfs(n, nil)

	const msgs = 15000 // 15 s at one per millisecond
	var gone, appeared time.Time
	go func() {
		time.Sleep(time.Second)
		mover.RemoveAddr(old)
		gone = time.Now()
		time.Sleep(tc.gap)
		mover.AddAddr(moveAddr)
		appeared = time.Now()
	}()
	go pace(t, src, msgs, time.Millisecond)
	at := arrivals(t, dst, msgs)
	if len(at) != msgs {
		return
	}
	recovery := firstAfter(at, appeared)
	t.Logf("gone at %v, new address at %v, first message after it %v later", gone.Format("05.000"), appeared.Format("05.000"), recovery)
	const serialization = 5 * time.Millisecond // a few packets at 10 MB/s
	hold := settleHold                         // the endpoint has no address left
	if tc.gap < DefaultAddressHold {
		hold = DefaultAddressHold // the old address is not yet given up
	}
	if limit := 10*time.Millisecond + hold + 5*oneWay + serialization; recovery < 0 || recovery > limit {
		t.Errorf("recovery %v after the new address appeared, want at most %v (detection + 2 RTT + one way)", recovery, limit)
	}

	var asconfs []string
	for _, s := range log.all() {
		if !s.at.After(gone) {
			continue
		}
		for _, c := range s.chunks {
			asconfs = append(asconfs, fmt.Sprintf("%v->%v serial %d addr %v %s", s.src, s.dst, c.Serial, c.Address, reqString(t, c)))
		}
	}
	want := fmt.Sprintf("%v->", moveAddr)
	reqs := fmt.Sprint([]string{"Add IP Address " + moveAddr.String(), "Set Primary Address " + moveAddr.String(), "Delete IP Address " + old.String()})
	if len(asconfs) != 1 || asconfs[0][:len(want)] != want || !endsWith(asconfs[0], "addr "+old.String()+" "+reqs) {
		t.Errorf("ASCONFs after the old address went:\n%v\nwant one from %v with Address %v and %s", asconfs, moveAddr, old, reqs)
	}
	if l, p := tagsOf(moving); l != ltag || p != ptag {
		t.Errorf("tags %x/%x, want the same association's %x/%x", l, p, ltag, ptag)
	}
	if paths := staying.Paths(); len(paths) != 1 || paths[0].Remote.Addr() != moveAddr {
		t.Errorf("the other side's paths after the move: %+v", paths)
	}
}

func endsWith(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// TestLoopbackNeverAnnounced: a client whose peer is elsewhere gains
// loopback addresses, and then loses its only real one. Neither 127.0.0.1
// nor ::1 is reported or announced to the peer, not even while the client
// has no other address; the real address that comes later is.
func TestLoopbackNeverAnnounced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc, ca, _ := autoPair(t)
		events := eventTimes(ca)
		loopbacks := []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.IPv6Loopback()}
		for _, l := range loopbacks {
			hc.AddAddr(l)
		}
		time.Sleep(2 * DefaultAddressHold)
		hc.RemoveAddr(cli1)
		time.Sleep(5 * time.Second)
		if n := ca.Stats().AsconfsSent; n != 0 {
			t.Errorf("%d ASCONFs sent while only loopback addresses were there", n)
		}
		hc.AddAddr(newAddr)
		time.Sleep(time.Second)
		synctest.Wait()
		var added []netip.Addr
		for _, e := range events(EventLocalAddrAdded) {
			added = append(added, e.Addr.Addr())
		}
		if !slices.Equal(added, []netip.Addr{newAddr}) {
			t.Errorf("local addresses reported added: %v, want only %v", added, newAddr)
		}
		for _, e := range events(EventASCONF) {
			for _, l := range loopbacks {
				if strings.Contains(e.Request, l.String()) {
					t.Errorf("ASCONF request for a loopback address: %v", e)
				}
			}
		}
		if n := ca.Stats().AsconfsSent; n != 1 {
			t.Errorf("%d ASCONFs sent, want the one for %v", n, newAddr)
		}
	})
}
