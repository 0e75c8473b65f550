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
	a.exec(func() { local, peer = a.localTag, a.peerTag })
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
// receiving a paced stream) from its only address to a new one after a
// gap of 1 s and 10 s. One ASCONF goes from the new address: Add IP (new),
// Set Primary (new), Delete IP (old), with the old address as Address
// Parameter; never a Delete of the last address on its own. The same
// association carries on, every message arrives once and in order, and
// the first message after the new address appeared arrives within what
// the endpoint waits before it uses the address (the 10 ms the simulated
// watcher takes to notice, and settleHold) plus two round trips (the
// ASCONF and its ACK; the heartbeat that confirms the new path) plus the
// one-way delay of the data. Nothing waits for an RTO: what was lost in
// flight goes again at once, on either side.
func TestBreakBeforeMake(t *testing.T) {
	var cases []moveCase
	for _, server := range []bool{false, true} {
		for _, gap := range []time.Duration{time.Second, 10 * time.Second} {
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
		return Config{AutoASCONF: true, AutoSetPrimary: true, AddressWatcher: &hostWatcher{h: h}}
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
	if limit := 10*time.Millisecond + settleHold + 5*oneWay + serialization; recovery < 0 || recovery > limit {
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

// holdCfg has short timers: without a hold, a peer that is gone is given
// up within about ten seconds.
func holdCfg(hold time.Duration) Config {
	return Config{
		RTOInitial: 200 * time.Millisecond, RTOMin: 200 * time.Millisecond, RTOMax: 2 * time.Second,
		AssocMaxRetrans: 4, HandoverHold: hold,
	}
}

// serverGone connects a client and a server (AutoASCONF) with cfg, takes
// the server's address away after one second while the client sends one
// message per millisecond, and gives it a new one after gap unless gap is
// zero. It returns the client's association, the number of messages the
// server received in order, and when the client's association ended (zero
// if it did not).
func serverGone(t *testing.T, cfg Config, gap time.Duration, msgs int) (ca *Association, got int, ended time.Time, events func(EventType) []Event) {
	n := simnet.New(43)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
	hc, hs := n.AddHost("client", cli1), n.AddHost("server", srv1)
	scfg := cfg
	scfg.AutoASCONF, scfg.AutoSetPrimary, scfg.AddressWatcher = true, true, &hostWatcher{h: hs}
	srv := simEndpoint(t, hs, scfg, true)
	cli := simEndpoint(t, hc, cfg, false)
	ca, sa := connect(t, cli, srv, srv1)
	events = eventTimes(ca)
	moved := make(chan struct{})
	go func() {
		defer close(moved)
		time.Sleep(time.Second)
		hs.RemoveAddr(srv1)
		if gap > 0 {
			time.Sleep(gap)
			hs.AddAddr(moveAddr)
		}
	}()
	defer func() { <-moved }()
	received := make(chan int, 1)
	go func() { received <- inOrder(sa, msgs) }()
	for i := range msgs {
		if ca.SendMsg(context.Background(), payload(i, 200), SendInfo{}) != nil {
			break
		}
		time.Sleep(time.Millisecond)
	}
	select {
	case <-ca.Done():
		ended = time.Now()
		sa.Abort("test over")
	case <-time.After(time.Minute):
	}
	return ca, <-received, ended, events
}

// inOrder receives up to n paced messages at a and returns how many
// arrived intact and in order before an error.
func inOrder(a *Association, n int) int {
	buf := make([]byte, 1000)
	for i := range n {
		k, _, err := a.RecvMsg(context.Background(), buf)
		if err != nil || string(buf[:k]) != string(payload(i, 200)) {
			return i
		}
	}
	return n
}

// TestHandoverHold: the server is gone for 20 s, far longer than the
// client's error limits allow. With the handover hold the client keeps the
// association and its data, and everything arrives once the server's new
// address is known; without it (the default without AutoASCONF) the
// client gives up.
func TestHandoverHold(t *testing.T) {
	const msgs = 25000
	synctest.Test(t, func(t *testing.T) {
		ca, got, ended, events := serverGone(t, holdCfg(DefaultHandoverHold), 20*time.Second, msgs)
		if got != msgs || !ended.IsZero() {
			t.Errorf("with the hold: %d of %d messages arrived, association ended %v (%v)\n%+v", got, msgs, ended, ca.Err(), ca.Stats())
		}
		synctest.Wait()
		if h, r := events(EventHandoverHold), events(EventHandoverResumed); len(h) != 1 || len(r) != 1 {
			t.Errorf("hold events %v, resumed %v; want one each", h, r)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		ca, _, ended, _ := serverGone(t, holdCfg(0), 20*time.Second, msgs)
		if ended.IsZero() || ca.Err() != ErrCommunicationLost {
			t.Errorf("without the hold the association should be lost; ended %v with %v", ended, ca.Err())
		}
	})
}

// TestHandoverHoldExpires: when no new path comes, the association ends
// HandoverHold later than it would without the hold (within a round trip:
// the runs differ in their random tags and timing).
func TestHandoverHoldExpires(t *testing.T) {
	var ends []time.Duration
	for _, hold := range []time.Duration{0, 5 * time.Second} {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			ca, _, ended, _ := serverGone(t, holdCfg(hold), 0, 5000)
			if ended.IsZero() || ca.Err() != ErrCommunicationLost {
				t.Fatalf("hold %v: ended %v with %v, want ErrCommunicationLost", hold, ended, ca.Err())
			}
			ends = append(ends, ended.Sub(start))
		})
	}
	if len(ends) != 2 {
		return
	}
	if d := ends[1] - ends[0] - 5*time.Second; d < -2*oneWay || d > 2*oneWay {
		t.Errorf("lost after %v without the hold and %v with a 5 s hold, want 5 s apart (within a round trip)", ends[0], ends[1])
	}
}

// TestBothMoveAddPeerAddr moves both ends at the same moment, break
// before make: each side's ASCONF goes to the other's old address and is
// lost. Told the peer's new address (as a resolution through RSerPool
// would), AddPeerAddr sends the ASCONF in flight there at once; the peer
// finds the association although both addresses are new to it. With both
// sides told (symmetric) or only the client (asymmetric), the association
// carries on with its tags, every message arrives once and in order, and
// each side ends with the one path between the new addresses.
func TestBothMoveAddPeerAddr(t *testing.T) {
	for _, symmetric := range []bool{true, false} {
		t.Run(fmt.Sprintf("symmetric %v", symmetric), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { bothMove(t, symmetric) })
		})
	}
}

func bothMove(t *testing.T, symmetric bool) {
	cliNew, srvNew := moveAddr, netip.MustParseAddr("198.51.100.99")
	n := simnet.New(47)
	t.Cleanup(n.Close)
	n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
	hc, hs := n.AddHost("client", cli1), n.AddHost("server", srv1)
	auto := func(h *simnet.Host) Config {
		return Config{AutoASCONF: true, AutoSetPrimary: true, AddressWatcher: &hostWatcher{h: h}}
	}
	srv := simEndpoint(t, hs, auto(hs), true)
	cli := simEndpoint(t, hc, auto(hc), false)
	ca, sa := connect(t, cli, srv, srv1)
	ltag, ptag := tagsOf(ca)

	const msgs = 6000
	var told time.Time
	moved := make(chan struct{})
	go func() {
		defer close(moved)
		time.Sleep(time.Second)
		hc.RemoveAddr(cli1)
		hs.RemoveAddr(srv1)
		time.Sleep(2 * time.Second)
		hc.AddAddr(cliNew)
		hs.AddAddr(srvNew)
		time.Sleep(200 * time.Millisecond) // the time a resolution takes
		told = time.Now()
		if err := ca.AddPeerAddr(netip.AddrPortFrom(srvNew, 0)); err != nil {
			t.Error(err)
		}
		if symmetric {
			if err := sa.AddPeerAddr(netip.AddrPortFrom(cliNew, 0)); err != nil {
				t.Error(err)
			}
		}
	}()
	go pace(t, ca, msgs, time.Millisecond)
	at := arrivals(t, sa, msgs)
	<-moved
	if len(at) != msgs {
		return
	}
	recovery := firstAfter(at, told)
	t.Logf("first message %v after AddPeerAddr", recovery)
	if limit := DefaultRTOInitial + 4*oneWay; recovery < 0 || recovery > limit {
		t.Errorf("recovery %v after AddPeerAddr, want at most %v", recovery, limit)
	}
	if l, p := tagsOf(ca); l != ltag || p != ptag {
		t.Errorf("tags %x/%x, want %x/%x", l, p, ltag, ptag)
	}
	time.Sleep(5 * time.Second) // the server's own ASCONF settles too
	for _, side := range []struct {
		a    *Association
		want netip.Addr
	}{{ca, srvNew}, {sa, cliNew}} {
		if ps := side.a.Paths(); len(ps) != 1 || ps[0].Remote.Addr() != side.want || ps[0].State != PathActive {
			t.Errorf("paths %+v, want one active path to %v", ps, side.want)
		}
	}
}

// TestAddPeerAddrForgedHint: a hint that points at somebody else (a
// forged registration, say) gets nothing it could answer usefully: no
// heartbeat to echo, no data, only the ASCONF behind AUTH that it cannot
// acknowledge. The ASCONF then reaches the real peer on T4-RTO, the
// association goes on, and the forged path stays unconfirmed.
func TestAddPeerAddrForgedHint(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		forger := netip.MustParseAddr("203.0.113.66")
		n := simnet.New(53)
		t.Cleanup(n.Close)
		n.SetDefault(simnet.LinkProps{Delay: oneWay, Rate: 10e6})
		hc, hs := n.AddHost("client", cli1), n.AddHost("server", srv1)
		n.AddHost("forger", forger)
		srv := simEndpoint(t, hs, Config{}, true)
		cli := simEndpoint(t, hc, Config{}, false)
		ca, sa := connect(t, cli, srv, srv1)
		var mu sync.Mutex
		var seen []wire.ChunkType
		n.OnPacket(func(_ time.Time, _, dst netip.AddrPort, data []byte, _ simnet.Fate) {
			if dst.Addr() != forger {
				return
			}
			it := wire.Packet(data).Chunks()
			mu.Lock()
			for c, ok := it.Next(); ok; c, ok = it.Next() {
				seen = append(seen, c.Type())
			}
			mu.Unlock()
		})
		if err := ca.AddPeerAddr(netip.AddrPortFrom(forger, 0)); err != nil {
			t.Fatal(err)
		}
		go pace(t, ca, 3000, time.Millisecond)
		time.Sleep(time.Second)
		hc.AddAddr(cli2)
		if err := ca.AddLocalAddr(cli2); err != nil {
			t.Fatal(err)
		}
		if got := inOrder(sa, 3000); got != 3000 {
			t.Errorf("%d of 3000 messages arrived", got)
		}
		e := waitEvent(t, ca, EventASCONF)
		if e.Err != nil {
			t.Errorf("ASCONF %v, want success (through the real peer)", e)
		}
		mu.Lock()
		defer mu.Unlock()
		for _, typ := range seen {
			if typ != wire.TypeAuth && typ != wire.TypeAsconf {
				t.Errorf("%v sent to the forged address (all: %v)", typ, seen)
				break
			}
		}
		if !slices.Contains(seen, wire.TypeAsconf) {
			t.Errorf("the ASCONF did not try the hinted address: %v", seen)
		}
		for _, p := range ca.Paths() {
			if p.Remote.Addr() == forger && p.State != PathUnconfirmed {
				t.Errorf("forged path %+v, want unconfirmed", p)
			}
		}
	})
}

// TestHandoverHoldDefault: a mobile endpoint (AutoASCONF) holds for
// DefaultHandoverHold unless told otherwise; any other notices a dead peer
// at the RFC's limits, as RSerPool failover expects.
func TestHandoverHoldDefault(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want time.Duration
	}{
		{Config{AutoASCONF: true}, DefaultHandoverHold},
		{Config{AutoASCONF: true, HandoverHold: time.Second}, time.Second},
		{Config{AutoASCONF: true, HandoverHold: -1}, -1},
		{Config{}, 0},
	} {
		if got := tc.cfg.withDefaults().HandoverHold; got != tc.want {
			t.Errorf("%+v: HandoverHold %v, want %v", tc.cfg, got, tc.want)
		}
	}
}
