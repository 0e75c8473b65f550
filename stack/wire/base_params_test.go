package wire

import (
	"net/netip"
	"testing"
)

func TestBaseParamsGolden(t *testing.T) {
	t.Run("IPv4 Address", func(t *testing.T) {
		checkParam(t, &AddressParam{Addr: netip.MustParseAddr("192.0.2.1")},
			hexb(0x00, 0x05, 0x00, 0x08, 192, 0, 2, 1))
	})
	t.Run("IPv6 Address", func(t *testing.T) {
		checkParam(t, &AddressParam{Addr: netip.MustParseAddr("2001:db8::1")},
			hexb(0x00, 0x06, 0x00, 0x14,
				0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1))
	})
	t.Run("IPv4-mapped IPv6 Address stays IPv6", func(t *testing.T) {
		checkParam(t, &AddressParam{Addr: netip.MustParseAddr("::ffff:192.0.2.1")},
			hexb(0x00, 0x06, 0x00, 0x14,
				0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 192, 0, 2, 1))
	})
	t.Run("Cookie Preservative", func(t *testing.T) {
		checkParam(t, &CookiePreservativeParam{IncrementMillis: 60000},
			hexb(0x00, 0x09, 0x00, 0x08, 0x00, 0x00, 0xEA, 0x60))
	})
	t.Run("Host Name Address", func(t *testing.T) {
		checkParam(t, &HostNameParam{Name: []byte("ex.org")},
			hexb(0x00, 0x0B, 0x00, 0x0B, 'e', 'x', '.', 'o', 'r', 'g', 0))
	})
	t.Run("Supported Address Types", func(t *testing.T) {
		checkParam(t, &SupportedAddrTypesParam{Types: []ParamType{ParamIPv4Address, ParamIPv6Address}},
			hexb(0x00, 0x0C, 0x00, 0x08, 0x00, 0x05, 0x00, 0x06))
		checkParam(t, &SupportedAddrTypesParam{Types: []ParamType{ParamIPv6Address}},
			hexb(0x00, 0x0C, 0x00, 0x06, 0x00, 0x06))
	})
	t.Run("State Cookie", func(t *testing.T) {
		checkParam(t, &StateCookieParam{Cookie: []byte{1, 2, 3}}, hexb(0x00, 0x07, 0x00, 0x07, 1, 2, 3))
	})
	t.Run("Unrecognized Parameter", func(t *testing.T) {
		checkParam(t, &UnrecognizedParam{Param: Param(hexb(0xC0, 0xFF, 0x00, 0x05, 9))},
			hexb(0x00, 0x08, 0x00, 0x09, 0xC0, 0xFF, 0x00, 0x05, 9))
	})
	t.Run("Heartbeat Info", func(t *testing.T) {
		checkParam(t, &HeartbeatInfoParam{Info: []byte{1, 2, 3, 4}}, hexb(0x00, 0x01, 0x00, 0x08, 1, 2, 3, 4))
	})
	t.Run("ECN Capable", func(t *testing.T) {
		checkParam(t, &ECNCapableParam{}, hexb(0x80, 0x00, 0x00, 0x04))
	})
}

func TestHostNameTerminators(t *testing.T) {
	cases := []struct {
		in   []byte
		want string
	}{
		{hexb(0x00, 0x0B, 0x00, 0x08, 'a', 'b', 0, 0), "ab"},  // NUL padded by the sender
		{hexb(0x00, 0x0B, 0x00, 0x06, 'a', 'b'), "ab"},        // no terminator at all
		{hexb(0x00, 0x0B, 0x00, 0x07, 'a', 0, 'b'), "a\x00b"}, // only trailing NULs go
		{hexb(0x00, 0x0B, 0x00, 0x04), ""},
	}
	for _, tc := range cases {
		var h HostNameParam
		if err := h.Decode(Param(tc.in)); err != nil || string(h.Name) != tc.want {
			t.Errorf("Decode(% x) = %q, %v; want %q", tc.in, h.Name, err, tc.want)
		}
	}
}

func TestUnrecognizedParamCountedPadding(t *testing.T) {
	var u UnrecognizedParam
	if err := u.Decode(Param(hexb(0x00, 0x08, 0x00, 0x0C, 0xC0, 0xFF, 0x00, 0x05, 9, 0, 0, 0))); err != nil {
		t.Fatal(err)
	}
	if string(u.Param) != string(hexb(0xC0, 0xFF, 0x00, 0x05, 9)) {
		t.Errorf("Param = % x", u.Param)
	}
}

func TestDecodeAddress(t *testing.T) {
	a, err := DecodeAddress(Param(hexb(0x00, 0x05, 0x00, 0x08, 10, 1, 2, 3)))
	if err != nil || a != netip.MustParseAddr("10.1.2.3") {
		t.Errorf("IPv4: %v, %v", a, err)
	}
	_, err = DecodeAddress(Param(hexb(0x00, 0x07, 0x00, 0x08, 10, 1, 2, 3)))
	wantParseError(t, nil, err, "parameter type", 0)
	_, err = DecodeAddress(Param(hexb(0x00, 0x05)))
	wantParseError(t, nil, err, "parameter header", 0)
}

func TestBaseParamsMalformed(t *testing.T) {
	checkParamMalformed[AddressParam](t, hexb(0x00, 0x05, 0x00, 0x09, 192, 0, 2, 1, 7), "IPv4 Address length", 2)
	checkParamMalformed[AddressParam](t, hexb(0x00, 0x06, 0x00, 0x08, 192, 0, 2, 1), "IPv6 Address value", 4)
	checkParamMalformed[AddressParam](t, hexb(0x00, 0x0B, 0x00, 0x08, 192, 0, 2, 1), "parameter type", 0)
	checkParamMalformed[CookiePreservativeParam](t, hexb(0x00, 0x09, 0x00, 0x06, 0, 1), "Cookie Preservative value", 4)
	checkParamMalformed[CookiePreservativeParam](t, hexb(0x00, 0x09, 0x00, 0x0C, 0, 0, 0, 1, 0, 0, 0, 2), "Cookie Preservative length", 2)
	checkParamMalformed[SupportedAddrTypesParam](t, hexb(0x00, 0x0C, 0x00, 0x07, 0x00, 0x05, 0x00), "Supported Address Types length", 2)
	checkParamMalformed[HostNameParam](t, hexb(0x00, 0x0B), "parameter header", 0)
	checkParamMalformed[StateCookieParam](t, hexb(0x00, 0x08, 0x00, 0x05, 1), "parameter type", 0)
	checkParamMalformed[HeartbeatInfoParam](t, hexb(0x00, 0x07, 0x00, 0x04), "parameter type", 0)
	checkParamMalformed[ECNCapableParam](t, hexb(0x80, 0x00, 0x00, 0x05, 1), "ECN Capable length", 2)
	checkParamMalformed[UnrecognizedParam](t, hexb(0x00, 0x08, 0x00, 0x04), "parameter header", 4)
	checkParamMalformed[UnrecognizedParam](t, hexb(0x00, 0x08, 0x00, 0x08, 0xC0, 0xFF, 0x00, 0x09), "parameter length", 6)
	checkParamMalformed[UnrecognizedParam](t, hexb(0x00, 0x08, 0x00, 0x10, 0xC0, 0xFF, 0x00, 0x04, 1, 2, 3, 4, 5, 6, 7, 8),
		"Unrecognized Parameter length", 2)
}
