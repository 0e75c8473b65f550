package addip

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/stack/wire"
)

func TestReceiverSerials(t *testing.T) {
	const itsn = 500
	rx := NewReceiver(itsn)
	peer := newFakePeer(addrA)
	acks := map[uint32][]byte{}
	steps := []struct {
		serial uint32
		first  bool
		want   Verdict
	}{
		{itsn - 1, true, Stale},      // before the first: nothing cached
		{itsn + 1, true, Unexpected}, // skips one
		{itsn, true, Applied},
		{itsn, true, Repeated},
		{itsn + 1, true, Applied}, // first of its packet: drops the ACK of itsn
		{itsn, true, Stale},
		{itsn + 1, true, Repeated},
		{itsn + 2, false, Applied}, // bundled after itsn+1: both stay cached
		{itsn + 1, true, Repeated},
		{itsn + 2, false, Repeated},
		{itsn + 3 + 1<<31 - 1, true, Unexpected},
		{itsn + 3 + 1<<31 + 1, true, Stale}, // reads as older
	}
	for i, st := range steps {
		a := &wire.Asconf{Serial: st.serial, Address: addrA, Params: params(req(AddIP, st.serial, netip.AddrFrom4([4]byte{10, 0, byte(st.serial >> 8), byte(st.serial)})))}
		calls := len(peer.calls)
		b, v := rx.Handle(a, Packet{Source: addrA, First: st.first}, peer)
		if v != st.want {
			t.Fatalf("step %d serial %d: verdict %d, want %d", i, st.serial, v, st.want)
		}
		switch v {
		case Applied:
			if ack, _ := decodeAck(t, b); ack.Serial != st.serial {
				t.Fatalf("step %d: ASCONF-ACK serial %d, want %d", i, ack.Serial, st.serial)
			}
			if len(peer.calls) != calls+1 {
				t.Fatalf("step %d: %d peer calls, want 1", i, len(peer.calls)-calls)
			}
			acks[st.serial] = bytes.Clone(b)
		case Repeated:
			if !bytes.Equal(b, acks[st.serial]) {
				t.Fatalf("step %d: cached ASCONF-ACK differs from the one sent", i)
			}
			fallthrough
		default:
			if len(peer.calls) != calls {
				t.Fatalf("step %d: requests applied again: %v", i, peer.calls[calls:])
			}
		}
		if v != Applied && v != Repeated && b != nil {
			t.Fatalf("step %d: an ASCONF-ACK for verdict %d", i, v)
		}
	}
}

func TestReceiverSerialWraps(t *testing.T) {
	rx := NewReceiver(0)
	a := &wire.Asconf{Serial: 0xFFFFFFFF, Address: addrA}
	if _, v := rx.Handle(a, Packet{Source: addrA, First: true}, newFakePeer(addrA)); v != Stale {
		t.Fatalf("serial 2^32-1 before initial TSN 0: verdict %d, want Stale", v)
	}
	a.Serial = 0
	if _, v := rx.Handle(a, Packet{Source: addrA, First: true}, newFakePeer(addrA)); v != Applied {
		t.Fatalf("serial 0: verdict %d, want Applied", v)
	}
}

func TestReceiverCacheBounded(t *testing.T) {
	rx := NewReceiver(1)
	peer := newFakePeer(addrA)
	for s := uint32(1); s <= maxCachedAcks+1; s++ {
		rx.Handle(&wire.Asconf{Serial: s, Address: addrA}, Packet{Source: addrA, First: s == 1}, peer)
	}
	if _, v := rx.Handle(&wire.Asconf{Serial: 1, Address: addrA}, Packet{Source: addrA}, peer); v != Stale {
		t.Errorf("oldest of %d bundled ASCONFs: verdict %d, want Stale (evicted)", maxCachedAcks+1, v)
	}
	if _, v := rx.Handle(&wire.Asconf{Serial: 2, Address: addrA}, Packet{Source: addrA}, peer); v != Repeated {
		t.Errorf("second: verdict %d, want Repeated", v)
	}
}

var (
	multicast = netip.MustParseAddr("224.0.0.1")
	mapped    = netip.MustParseAddr("::ffff:192.0.2.3")
)

func TestReceiverRequests(t *testing.T) {
	hostName := wire.AppendParam(nil, &wire.HostNameParam{Name: []byte("example.org")})
	cases := []struct {
		name    string
		peer    *fakePeer
		source  netip.Addr
		reqs    wire.Params
		want    []resp
		addrs   []netip.Addr
		primary netip.Addr
	}{
		{"all succeed implicitly", newFakePeer(addrA, addrB), addrA,
			params(req(AddIP, 1, addrC), req(SetPrimary, 2, addrC), req(DeleteIP, 3, addrB)),
			nil, []netip.Addr{addrA, addrC}, addrC},
		{"delete last remaining address", newFakePeer(addrA), addrC,
			params(req(DeleteIP, 1, addrA)),
			[]resp{{id: 1, code: wire.CauseDeleteLastAddress}}, []netip.Addr{addrA}, addrA},
		{"delete source address", newFakePeer(addrA, addrB), addrB,
			params(req(DeleteIP, 1, addrB)),
			[]resp{{id: 1, code: wire.CauseDeleteSourceAddress}}, []netip.Addr{addrA, addrB}, addrA},
		{"wildcard add is the source", newFakePeer(addrA), addrC,
			params(req(AddIP, 1, any4)),
			nil, []netip.Addr{addrA, addrC}, addrA},
		{"wildcard set primary is the source", newFakePeer(addrA, addrC), addrC,
			params(req(SetPrimary, 1, netip.IPv6Unspecified())),
			nil, []netip.Addr{addrA, addrC}, addrC},
		{"wildcard delete keeps the source only", newFakePeer(addrA, addrB, addrC), addrB,
			params(req(DeleteIP, 1, any4)),
			nil, []netip.Addr{addrB}, addrB},
		{"success after a failure is explicit", newFakePeer(addrA, addrB), addrA,
			params(req(SetPrimary, 1, addrD), req(AddIP, 2, addrC)),
			[]resp{{id: 1, code: wire.CauseUnresolvableAddress}, {id: 2, ok: true}}, []netip.Addr{addrA, addrB, addrC}, addrA},
		{"resource shortage fails later adds and deletes", &fakePeer{addrs: []netip.Addr{addrA, addrB}, primary: addrA, max: 2}, addrA,
			params(req(AddIP, 1, addrC), req(DeleteIP, 2, addrB), req(SetPrimary, 3, addrB)),
			[]resp{{id: 1, code: wire.CauseResourceShortage}, {id: 2, code: wire.CauseResourceShortage}, {id: 3, ok: true}},
			[]netip.Addr{addrA, addrB}, addrB},
		{"no authorization", &fakePeer{addrs: []netip.Addr{addrA}, primary: addrA, refuse: map[netip.Addr]error{addrC: ErrNoAuthorization}}, addrA,
			params(req(AddIP, 1, addrC)),
			[]resp{{id: 1, code: wire.CauseNoAuthorization}}, []netip.Addr{addrA}, addrA},
		{"other errors refused as no authorization", &fakePeer{addrs: []netip.Addr{addrA}, primary: addrA, refuse: map[netip.Addr]error{addrC: errors.New("boom")}}, addrA,
			params(req(AddIP, 1, addrC)),
			[]resp{{id: 1, code: wire.CauseNoAuthorization}}, []netip.Addr{addrA}, addrA},
		{"multicast refused", newFakePeer(addrA), addrA,
			params(req(AddIP, 1, multicast)),
			[]resp{{id: 1, code: wire.CauseUnresolvableAddress}}, []netip.Addr{addrA}, addrA},
		{"broadcast refused", newFakePeer(addrA), addrA,
			params(req(AddIP, 1, broadcast4)),
			[]resp{{id: 1, code: wire.CauseUnresolvableAddress}}, []netip.Addr{addrA}, addrA},
		{"IPv4-mapped address unmapped", newFakePeer(addrA), addrA,
			params(req(AddIP, 1, mapped)),
			nil, []netip.Addr{addrA, addrC}, addrA},
		{"host name address unresolvable", newFakePeer(addrA), addrA,
			params(&wire.RawParam{Type: wire.ParamAddIP, Value: append([]byte{0, 0, 0, 9}, hostName...)}),
			[]resp{{id: 9, code: wire.CauseUnresolvableAddress}}, []netip.Addr{addrA}, addrA},
		{"truncated request invalid", newFakePeer(addrA), addrA,
			params(&wire.RawParam{Type: wire.ParamDeleteIP, Value: []byte{0, 0, 0, 4, 0, 5, 0, 8, 1, 2}}),
			[]resp{{id: 4, code: wire.CauseInvalidMandatoryParam}}, []netip.Addr{addrA}, addrA},
		{"request without correlation ID", newFakePeer(addrA), addrA,
			params(&wire.RawParam{Type: wire.ParamSetPrimary, Value: []byte{1, 2}}),
			[]resp{{id: 0, code: wire.CauseInvalidMandatoryParam}}, []netip.Addr{addrA}, addrA},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := handleOne(t, tc.peer, tc.source, tc.reqs)
			if !slices.Equal(got, tc.want) {
				t.Errorf("responses %v, want %v", got, tc.want)
			}
			if !slices.Equal(tc.peer.addrs, tc.addrs) || tc.peer.primary != tc.primary {
				t.Errorf("peer %v primary %s, want %v primary %s", tc.peer.addrs, tc.peer.primary, tc.addrs, tc.primary)
			}
		})
	}
}

// handleOne runs one ASCONF with reqs through a new Receiver.
func handleOne(t *testing.T, peer *fakePeer, source netip.Addr, reqs wire.Params) []resp {
	t.Helper()
	rx := NewReceiver(1)
	b, v := rx.Handle(&wire.Asconf{Serial: 1, Address: addrA, Params: reqs}, Packet{Source: source, First: true}, peer)
	if v != Applied {
		t.Fatalf("verdict %d, want Applied", v)
	}
	_, rs := decodeAck(t, b)
	return rs
}

func TestReceiverCauseCarriesRequest(t *testing.T) {
	r := wire.AppendParam(nil, req(DeleteIP, 1, addrB))
	rx := NewReceiver(1)
	b, _ := rx.Handle(&wire.Asconf{Serial: 1, Address: addrB, Params: r}, Packet{Source: addrB, First: true}, newFakePeer(addrA, addrB))
	ack, _ := decodeAck(t, b)
	var ei wire.ErrorCauseIndicationParam
	p, _ := ack.Params.Find(wire.ParamErrorCauseIndication)
	if err := ei.Decode(p); err != nil {
		t.Fatal(err)
	}
	it := ei.Causes.Iter()
	c, _ := it.Next()
	var ac wire.AsconfCause
	if err := ac.Decode(c); err != nil || ac.Code != wire.CauseDeleteSourceAddress || !bytes.Equal(ac.Request, r) {
		t.Fatalf("cause %+v, %v; want Request to Delete Source IP Address carrying %x", ac, err, r)
	}
}

func TestReceiverUnknownParams(t *testing.T) {
	unknown := func(typ wire.ParamType) wire.ParamValue {
		return &wire.RawParam{Type: typ, Value: []byte{0, 0, 0, 7, 0xAA}}
	}
	unrecognized := resp{id: 7, code: wire.CauseUnrecognizedParams}
	cases := []struct {
		name  string
		reqs  wire.Params
		want  []resp
		addrs []netip.Addr
	}{
		{"stop, no report, request follows: reported", params(req(AddIP, 1, addrC), unknown(0x3F01), req(AddIP, 2, addrD)),
			[]resp{unrecognized}, []netip.Addr{addrA, addrB, addrC}},
		{"stop, no report, nothing follows", params(req(AddIP, 1, addrC), unknown(0x3F01)),
			nil, []netip.Addr{addrA, addrB, addrC}},
		{"stop and report", params(req(AddIP, 1, addrC), unknown(0x7F01), req(AddIP, 2, addrD)),
			[]resp{unrecognized}, []netip.Addr{addrA, addrB, addrC}},
		{"skip", params(req(AddIP, 1, addrC), unknown(0xBF01), req(AddIP, 2, addrD)),
			nil, []netip.Addr{addrA, addrB, addrC, addrD}},
		{"skip and report", params(req(AddIP, 1, addrC), unknown(0xFF01), req(AddIP, 2, addrD)),
			[]resp{unrecognized, {id: 2, ok: true}}, []netip.Addr{addrA, addrB, addrC, addrD}},
		// An IPv4 Address parameter means nothing here: type 5 says "stop",
		// and its address bytes (198.51.100.4) stand as correlation ID.
		{"address parameter out of place stops", params(&wire.AddressParam{Addr: addrD}, req(AddIP, 2, addrC)),
			[]resp{{id: 0xC6336404, code: wire.CauseUnrecognizedParams}}, []netip.Addr{addrA, addrB}},
		{"indications skipped", params(success(5), &wire.AdaptationLayerParam{CodePoint: 1}, req(AddIP, 2, addrC)),
			nil, []netip.Addr{addrA, addrB, addrC}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			peer := newFakePeer(addrA, addrB)
			got := handleOne(t, peer, addrA, tc.reqs)
			if !slices.Equal(got, tc.want) {
				t.Errorf("responses %v, want %v", got, tc.want)
			}
			if !slices.Equal(peer.addrs, tc.addrs) {
				t.Errorf("peer %v, want %v", peer.addrs, tc.addrs)
			}
		})
	}
}
