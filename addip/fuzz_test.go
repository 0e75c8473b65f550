package addip

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/stack/wire"
)

var fuzzSources = []netip.Addr{addrA, addrB, addrC, addr6}

// FuzzReceiver feeds random ASCONF parameter lists to a Receiver with a
// fake association. The ASCONF-ACK must decode, answer only what was
// asked, and mean exactly what was done: replaying the requests the
// sender reads as successful, by the rules of RFC 5061 section 5.1,
// rebuilds the association's state. A retransmission gets the same bytes
// and changes nothing.
func FuzzReceiver(f *testing.F) {
	unknown := func(typ wire.ParamType) wire.ParamValue {
		return &wire.RawParam{Type: typ, Value: []byte{0, 0, 0, 9, 1}}
	}
	seeds := []wire.Params{
		params(req(AddIP, 1, addrC), req(SetPrimary, 2, addrC), req(DeleteIP, 3, addrB)),
		params(req(DeleteIP, 1, addrA), req(DeleteIP, 2, addrB), req(AddIP, 3, any4)),
		params(req(AddIP, 1, addrC), req(AddIP, 2, addrD), req(AddIP, 3, addr6), req(DeleteIP, 4, addrC)),
		params(req(SetPrimary, 1, multicast), unknown(0xFF01), req(AddIP, 2, mapped)),
		params(unknown(0x3F01), req(AddIP, 1, addrC)),
		params(req(AddIP, 1, addrC), unknown(0x7F01), req(DeleteIP, 2, any4)),
		params(&wire.RawParam{Type: wire.ParamAddIP, Value: []byte{0, 0, 0, 1, 0, 11, 0, 5, 'x'}}, success(3)),
	}
	for i, s := range seeds {
		f.Add([]byte(s), byte(i))
	}
	f.Fuzz(func(t *testing.T, raw []byte, src byte) {
		if len(raw) > 4096 {
			return
		}
		var a wire.Asconf
		c, err := wire.ParseChunk((&wire.Asconf{Serial: 77, Address: addrA, Params: raw}).Append(nil))
		if err != nil || a.Decode(c) != nil {
			return
		}
		source := fuzzSources[int(src)%len(fuzzSources)]
		peer := &fakePeer{addrs: []netip.Addr{addrA, addrB}, primary: addrA, max: 4}
		before := peer.clone()
		rx := NewReceiver(a.Serial)
		b, v := rx.Handle(&a, Packet{Source: source, First: true}, peer)
		if v != Applied {
			t.Fatalf("verdict %d, want Applied", v)
		}
		ack, resps := decodeAck(t, b)
		if ack.Serial != a.Serial {
			t.Fatalf("ASCONF-ACK serial %d, want %d", ack.Serial, a.Serial)
		}
		checkMeaning(t, a.Params, resps, source, before, peer)
		calls := len(peer.calls)
		again, v := rx.Handle(&a, Packet{Source: source, First: true}, peer)
		if v != Repeated || !bytes.Equal(again, b) || len(peer.calls) != calls {
			t.Fatalf("retransmission: verdict %d, same bytes %v, %d new calls", v, bytes.Equal(again, b), len(peer.calls)-calls)
		}
	})
}

// checkMeaning checks the responses against the ASCONF's parameters and
// the association's state when every parameter has a correlation ID of
// its own, which is what a sender needs to read the answer.
func checkMeaning(t *testing.T, ps wire.Params, resps []resp, source netip.Addr, before, after *fakePeer) {
	t.Helper()
	var list []wire.Param
	pos := map[uint32]int{}
	it := ps.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		list = append(list, p)
		if len(p) < requestHeaderLen {
			return
		}
		if _, dup := pos[correlationOf(p)]; dup {
			return
		}
		pos[correlationOf(p)] = len(list) - 1
	}
	got := make([]*resp, len(list))
	firstFailure, last := len(list), -1
	for i, r := range resps {
		at, known := pos[r.id]
		if !known || at <= last {
			t.Fatalf("response %d (%s) answers no parameter, or is out of order", i, r)
		}
		last, got[at] = at, &resps[i]
		if !r.ok {
			firstFailure = min(firstFailure, at)
		}
	}
	replay := before.clone()
	for i, p := range list {
		op, isReq := opOf(p.Type())
		succeeded := (got[i] == nil && i < firstFailure) || (got[i] != nil && got[i].ok)
		if !isReq {
			if got[i] != nil && got[i].ok {
				t.Fatalf("Success Indication for %s", p.Type())
			}
			continue
		}
		if succeeded {
			replayRequest(t, replay, op, p, source)
		}
	}
	if !slices.Equal(replay.addrs, after.addrs) || replay.primary != after.primary {
		t.Fatalf("the ASCONF-ACK says %v primary %s, the association has %v primary %s",
			replay.addrs, replay.primary, after.addrs, after.primary)
	}
}

// replayRequest applies a request the ASCONF-ACK reports as successful.
func replayRequest(t *testing.T, peer *fakePeer, op Op, p wire.Param, source netip.Addr) {
	t.Helper()
	var r wire.AddressRequestParam
	if err := r.Decode(p); err != nil {
		t.Fatalf("malformed request reported successful: %v", err)
	}
	addr, source := r.Address.Unmap(), source.Unmap()
	if addr.IsUnspecified() && op != DeleteIP {
		addr = source
	}
	var err error
	switch op {
	case AddIP:
		err = peer.AddPeerAddress(addr)
	case DeleteIP:
		err = peer.DeletePeerAddress(addr, source)
	case SetPrimary:
		err = peer.SetPeerPrimary(addr)
	}
	if err != nil {
		t.Fatalf("%s %s reported successful, but replaying it fails: %v", op, addr, err)
	}
}
