package addip

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/stack/wire"
)

var (
	addrA  = netip.MustParseAddr("192.0.2.1")
	addrB  = netip.MustParseAddr("192.0.2.2")
	addrC  = netip.MustParseAddr("192.0.2.3")
	addrD  = netip.MustParseAddr("198.51.100.4")
	addr6  = netip.MustParseAddr("2001:db8::6")
	any4   = netip.IPv4Unspecified()
	local1 = netip.MustParseAddr("203.0.113.1")
)

// fakePeer is an association's peer address set. A refused request
// changes nothing, so replaying only the successful ones rebuilds it.
type fakePeer struct {
	addrs   []netip.Addr
	primary netip.Addr
	max     int                  // resource limit; 0 means 8
	refuse  map[netip.Addr]error // forced answers
	calls   []string
}

func newFakePeer(addrs ...netip.Addr) *fakePeer {
	return &fakePeer{addrs: slices.Clone(addrs), primary: addrs[0]}
}

func (f *fakePeer) clone() *fakePeer {
	return &fakePeer{addrs: slices.Clone(f.addrs), primary: f.primary, max: f.max, refuse: f.refuse}
}

func (f *fakePeer) has(a netip.Addr) bool { return slices.Contains(f.addrs, a) }

func (f *fakePeer) AddPeerAddress(a netip.Addr) error {
	f.calls = append(f.calls, "add "+a.String())
	if err := f.refuse[a]; err != nil {
		return err
	}
	if f.has(a) {
		return nil
	}
	limit := f.max
	if limit == 0 {
		limit = 8
	}
	if len(f.addrs) >= limit {
		return ErrResourceShortage
	}
	f.addrs = append(f.addrs, a)
	return nil
}

func (f *fakePeer) DeletePeerAddress(a, source netip.Addr) error {
	f.calls = append(f.calls, fmt.Sprintf("delete %s from %s", a, source))
	if err := f.refuse[a]; err != nil {
		return err
	}
	if a.IsUnspecified() {
		if !f.has(source) {
			return ErrNoAuthorization
		}
		f.addrs, f.primary = []netip.Addr{source}, source
		return nil
	}
	i := slices.Index(f.addrs, a)
	switch {
	case i < 0:
		return nil
	case len(f.addrs) == 1:
		return ErrDeleteLastAddress
	case a == source:
		return ErrDeleteSourceAddress
	}
	f.addrs = slices.Delete(f.addrs, i, i+1)
	if f.primary == a {
		f.primary = f.addrs[0]
	}
	return nil
}

func (f *fakePeer) SetPeerPrimary(a netip.Addr) error {
	f.calls = append(f.calls, "primary "+a.String())
	if err := f.refuse[a]; err != nil {
		return err
	}
	if !f.has(a) {
		return ErrUnresolvableAddress
	}
	f.primary = a
	return nil
}

// req builds a request parameter.
func req(op Op, id uint32, a netip.Addr) *wire.AddressRequestParam {
	return &wire.AddressRequestParam{Type: op.paramType(), CorrelationID: id, Address: a}
}

// params appends values into a parameter list.
func params(vs ...wire.ParamValue) wire.Params {
	var ps wire.Params
	for _, v := range vs {
		ps = wire.AppendParam(ps, v)
	}
	return ps
}

// resp is one decoded response: its correlation ID, success, and the
// code of its first cause.
type resp struct {
	id   uint32
	ok   bool
	code wire.CauseCode
}

func (r resp) String() string {
	if r.ok {
		return fmt.Sprintf("%d ok", r.id)
	}
	return fmt.Sprintf("%d %s", r.id, r.code)
}

// decodeAck decodes an ASCONF-ACK chunk and its responses, failing the
// test on anything but Success and Error Cause Indications.
func decodeAck(t testing.TB, b []byte) (wire.AsconfAck, []resp) {
	t.Helper()
	c, err := wire.ParseChunk(b)
	if err != nil {
		t.Fatalf("ASCONF-ACK chunk: %v", err)
	}
	var ack wire.AsconfAck
	if err := ack.Decode(c); err != nil {
		t.Fatalf("ASCONF-ACK: %v", err)
	}
	var out []resp
	it := ack.Params.Iter()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		out = append(out, decodeResp(t, p))
	}
	return ack, out
}

func decodeResp(t testing.TB, p wire.Param) resp {
	t.Helper()
	switch p.Type() {
	case wire.ParamSuccessIndication:
		var si wire.SuccessIndicationParam
		if err := si.Decode(p); err != nil {
			t.Fatalf("Success Indication: %v", err)
		}
		return resp{id: si.CorrelationID, ok: true}
	case wire.ParamErrorCauseIndication:
		var ei wire.ErrorCauseIndicationParam
		if err := ei.Decode(p); err != nil {
			t.Fatalf("Error Cause Indication: %v", err)
		}
		it := ei.Causes.Iter()
		c, ok := it.Next()
		if !ok {
			t.Fatalf("Error Cause Indication %d without a cause", ei.CorrelationID)
		}
		checkCause(t, c)
		return resp{id: ei.CorrelationID, code: c.Code()}
	}
	t.Fatalf("unexpected %s in an ASCONF-ACK", p.Type())
	return resp{}
}

// checkCause decodes a cause with its typed decoder.
func checkCause(t testing.TB, c wire.Cause) {
	t.Helper()
	var err error
	switch c.Code() {
	case wire.CauseUnresolvableAddress:
		err = new(wire.UnresolvableAddrCause).Decode(c)
	case wire.CauseUnrecognizedParams:
		err = new(wire.UnrecognizedParamsCause).Decode(c)
	case wire.CauseInvalidMandatoryParam:
		err = new(wire.EmptyCause).Decode(c)
	default:
		var ac wire.AsconfCause
		if err = ac.Decode(c); err == nil && len(ac.Request) == 0 {
			err = fmt.Errorf("%s without the request", c.Code())
		}
	}
	if err != nil {
		t.Fatalf("cause %s: %v", c.Code(), err)
	}
}
