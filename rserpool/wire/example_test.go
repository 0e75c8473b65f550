package wire_test

import (
	"fmt"
	"net/netip"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// A pool element builds a Registration, and its registrar parses it.
func Example() {
	reg := &wire.Registration{
		Handle: wire.PoolHandle("echo"),
		Element: wire.PoolElement{
			ID:      0x2a,
			RegLife: 30000,
			UserTransport: wire.Transport{
				Type:  wire.ParamSCTPTransport,
				Port:  7,
				Addrs: []netip.Addr{netip.MustParseAddr("192.0.2.1")},
			},
			Policy: wire.Policy{Type: wire.PolicyLeastUsed, Load: 0x40000000},
		},
	}
	buf := wire.AppendASAP(nil, reg)

	m, err := wire.ParseASAP(buf)
	if err != nil {
		fmt.Println(err)
		return
	}
	switch m.Type() {
	case wire.ASAPRegistration:
		var r wire.Registration
		if err := m.Decode(&r); err != nil {
			fmt.Println(err)
			return
		}
		e := r.Element
		fmt.Printf("%s of %#x in pool %q at %v port %d, %s\n",
			m.Type(), e.ID, r.Handle, e.UserTransport.Addrs, e.UserTransport.Port, e.Policy.Type)
	}
	// Output: ASAP Registration of 0x2a in pool "echo" at [192.0.2.1] port 7, LeastUsed
}

// A registrar reports what it could not decode.
func ExampleASAPMessage_Unrecognized() {
	msg := []byte{
		0x05, 0x00, 0x00, 0x14, // Handle Resolution, length 20
		0x00, 0x09, 0x00, 0x08, 'e', 'c', 'h', 'o', // Pool Handle
		0xc0, 0x40, 0x00, 0x08, 0, 0, 0, 1, // a future option: skip and report
	}
	m, err := wire.ParseASAP(msg)
	if err != nil {
		fmt.Println(err)
		return
	}
	var hr wire.HandleResolution
	fmt.Println("decode:", m.Decode(&hr))
	it := m.Unrecognized()
	for p, ok := it.Next(); ok; p, ok = it.Next() {
		a := p.Type().Action()
		fmt.Printf("%s: stop %v, report %v\n", p.Type(), a.Stop(), a.Report())
	}
	// Output:
	// decode: <nil>
	// parameter type 0xc040: stop false, report true
}
