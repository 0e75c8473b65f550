package wire

import (
	"net/netip"
	"testing"
)

// resolution16 is a Handle Resolution Response with 16 pool elements, each
// with an SCTP transport of two IPv4 addresses and a policy.
func resolution16() []byte {
	resp := &HandleResolutionResponse{Handle: PoolHandle("bench-pool"), Policy: Policy{Type: PolicyLeastUsed}}
	for i := range 16 {
		resp.Elements = append(resp.Elements, PoolElement{
			ID:         PEID(0x1000 + i),
			HomeServer: 0x0a,
			RegLife:    30000,
			UserTransport: Transport{
				Type: ParamSCTPTransport,
				Port: 7,
				Addrs: []netip.Addr{
					netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}),
					netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}),
				},
			},
			Policy: Policy{Type: PolicyLeastUsed, Load: uint32(i) << 24},
		})
	}
	return AppendASAP(nil, resp)
}

// parseResolution parses msg into r and walks every element, as a pool
// user picking an element does.
func parseResolution(msg []byte, r *HandleResolutionResponse) (n int, err error) {
	m, err := ParseASAP(msg)
	if err != nil {
		return 0, err
	}
	if err := m.Decode(r); err != nil {
		return 0, err
	}
	for i := range r.Elements {
		e := &r.Elements[i]
		if e.Policy.Load < 1<<31 {
			n += len(e.UserTransport.Addrs)
		}
	}
	return n, nil
}

func BenchmarkParseHandleResolutionResponse(b *testing.B) {
	msg := resolution16()
	var r HandleResolutionResponse
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := parseResolution(msg, &r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendHandleResolutionResponse(b *testing.B) {
	m, err := ParseASAP(resolution16())
	if err != nil {
		b.Fatal(err)
	}
	var r HandleResolutionResponse
	if err := m.Decode(&r); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 2048)
	b.ReportAllocs()
	b.SetBytes(int64(m.Len()))
	for b.Loop() {
		buf = AppendASAP(buf[:0], &r)
	}
}

// Parsing into a value decoded before allocates nothing: no codec state,
// slice, address or error escapes to the heap.
func TestParseAllocatesNothing(t *testing.T) {
	msg := resolution16()
	var r HandleResolutionResponse
	n, err := parseResolution(msg, &r)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Elements) != 16 || n != 32 {
		t.Fatalf("%d elements, %d addresses below half load; want 16, 32", len(r.Elements), n)
	}
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := parseResolution(msg, &r); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("parsing a Handle Resolution Response allocates %v times", allocs)
	}
}
