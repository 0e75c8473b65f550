package wire

import (
	"net/netip"
	"testing"
)

var (
	v4Golden = hexb(0x00, 0x05, 0, 8, 192, 0, 2, 7) // IPv4 Address 192.0.2.7
	v6Golden = hexb(0x00, 0x06, 0, 20,              // IPv6 Address 2001:db8::1
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	v4Any = hexb(0x00, 0x05, 0, 8, 0, 0, 0, 0) // 0.0.0.0
	v6Any = hexb(0x00, 0x06, 0, 20,            // ::
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
)

func joinBytes(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

func TestAddressRequestGolden(t *testing.T) {
	cases := []struct {
		name   string
		v      AddressRequestParam
		golden []byte
	}{
		{"Add IP IPv4", AddressRequestParam{ParamAddIP, 0x01020304, netip.MustParseAddr("192.0.2.7")},
			joinBytes(hexb(0xC0, 0x01, 0, 16, 1, 2, 3, 4), v4Golden)},
		{"Delete IP IPv6", AddressRequestParam{ParamDeleteIP, 9, netip.MustParseAddr("2001:db8::1")},
			joinBytes(hexb(0xC0, 0x02, 0, 28, 0, 0, 0, 9), v6Golden)},
		{"Set Primary IPv4", AddressRequestParam{ParamSetPrimary, 0xFFFFFFFF, netip.MustParseAddr("192.0.2.7")},
			joinBytes(hexb(0xC0, 0x04, 0, 16, 0xFF, 0xFF, 0xFF, 0xFF), v4Golden)},
		{"Add IP wildcard 0.0.0.0", AddressRequestParam{ParamAddIP, 1, netip.IPv4Unspecified()},
			joinBytes(hexb(0xC0, 0x01, 0, 16, 0, 0, 0, 1), v4Any)},
		{"Delete IP wildcard ::", AddressRequestParam{ParamDeleteIP, 2, netip.IPv6Unspecified()},
			joinBytes(hexb(0xC0, 0x02, 0, 28, 0, 0, 0, 2), v6Any)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkParam(t, &tc.v, tc.golden) })
	}
}

func TestAddressRequestMalformed(t *testing.T) {
	cases := []struct {
		name  string
		in    []byte
		field string
		off   int
	}{
		{"not a request type", joinBytes(hexb(0xC0, 0x03, 0, 16, 0, 0, 0, 1), v4Golden), "parameter type", 0},
		{"no room for the address", hexb(0xC0, 0x01, 0, 8, 0, 0, 0, 1), "Add IP Address value", 4},
		{"nested is not an address", hexb(0xC0, 0x01, 0, 16, 0, 0, 0, 1, 0, 7, 0, 8, 1, 2, 3, 4), "parameter type", 8},
		{"IPv4 address of 8 bytes", hexb(0xC0, 0x04, 0, 20, 0, 0, 0, 1, 0, 5, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8), "IPv4 Address length", 10},
		{"nested length past the end", hexb(0xC0, 0x02, 0, 16, 0, 0, 0, 1, 0, 6, 0, 20, 1, 2, 3, 4), "parameter length", 10},
		{"bytes after the address", joinBytes(hexb(0xC0, 0x01, 0, 24, 0, 0, 0, 1), v4Golden, hexb(0, 5, 0, 8, 1, 2, 3, 4)), "Add IP Address length", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkParamMalformed[AddressRequestParam](t, tc.in, tc.field, tc.off) })
	}
}

func TestAddIPParamsGolden(t *testing.T) {
	t.Run("Error Cause Indication", func(t *testing.T) {
		addIP := hexb(0xC0, 0x01, 0, 16, 0, 0, 0, 5, 0, 5, 0, 8, 10, 0, 0, 1)
		causes := joinBytes(hexb(0x00, 0xA0, 0, 20), addIP)
		checkParam(t, &ErrorCauseIndicationParam{CorrelationID: 5, Causes: causes},
			joinBytes(hexb(0xC0, 0x03, 0, 28, 0, 0, 0, 5), causes))
		checkParam(t, &ErrorCauseIndicationParam{CorrelationID: 7, Causes: hexb(0, 4, 0, 4, 0, 0xA3, 0, 4)},
			hexb(0xC0, 0x03, 0, 16, 0, 0, 0, 7, 0, 4, 0, 4, 0, 0xA3, 0, 4))
	})
	t.Run("Success Indication", func(t *testing.T) {
		checkParam(t, &SuccessIndicationParam{CorrelationID: 0xDEADBEEF}, hexb(0xC0, 0x05, 0, 8, 0xDE, 0xAD, 0xBE, 0xEF))
	})
	t.Run("Adaptation Layer Indication", func(t *testing.T) {
		checkParam(t, &AdaptationLayerParam{CodePoint: 0x12345678}, hexb(0xC0, 0x06, 0, 8, 0x12, 0x34, 0x56, 0x78))
	})
	t.Run("Supported Extensions", func(t *testing.T) {
		checkParam(t, &SupportedExtensionsParam{Types: []ChunkType{TypeAsconf, TypeAsconfAck, TypeForwardTSN, TypeReconfig, TypeAuth}},
			hexb(0x80, 0x08, 0, 9, 0xC1, 0x80, 0xC0, 0x82, 0x0F))
	})
}

func TestAddIPParamsMalformed(t *testing.T) {
	checkParamMalformed[ErrorCauseIndicationParam](t, hexb(0xC0, 0x03, 0, 14, 0, 0, 0, 1, 0, 0xA0, 0, 9, 0, 0), "error cause length", 10)
	checkParamMalformed[ErrorCauseIndicationParam](t, hexb(0xC0, 0x03, 0, 6, 0, 0), "Error Cause Indication value", 4)
	checkParamMalformed[SuccessIndicationParam](t, hexb(0xC0, 0x05, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2), "Success Indication length", 2)
	checkParamMalformed[AdaptationLayerParam](t, hexb(0xC0, 0x05, 0, 8, 0, 0, 0, 1), "parameter type", 0)
	checkParamMalformed[SupportedExtensionsParam](t, hexb(0x80, 0x08, 0), "parameter header", 0)
}

func TestAsconfCauseGolden(t *testing.T) {
	deleteIP := hexb(0xC0, 0x02, 0, 16, 0, 0, 0, 2, 0, 5, 0, 8, 192, 168, 0, 1)
	cases := []struct {
		name   string
		v      AsconfCause
		golden []byte
	}{
		{"delete last address", AsconfCause{CauseDeleteLastAddress, deleteIP}, joinBytes(hexb(0x00, 0xA0, 0, 20), deleteIP)},
		{"resource shortage", AsconfCause{CauseResourceShortage, joinBytes(hexb(0xC0, 0x01, 0, 16, 0, 0, 0, 3), v4Golden)},
			joinBytes(hexb(0x00, 0xA1, 0, 20, 0xC0, 0x01, 0, 16, 0, 0, 0, 3), v4Golden)},
		{"delete source address", AsconfCause{CauseDeleteSourceAddress, deleteIP}, joinBytes(hexb(0x00, 0xA2, 0, 20), deleteIP)},
		{"illegal ASCONF-ACK, no request", AsconfCause{Code: CauseIllegalAsconfAck}, hexb(0x00, 0xA3, 0, 4)},
		{"no authorization, odd request", AsconfCause{CauseNoAuthorization, hexb(0xC1, 0x23, 0, 5, 0xAA)},
			hexb(0x00, 0xA4, 0, 9, 0xC1, 0x23, 0, 5, 0xAA)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkCause(t, &tc.v, tc.golden) })
	}
}

func TestAsconfCauseCountedPadding(t *testing.T) {
	var a AsconfCause
	err := a.Decode(Cause(hexb(0x00, 0xA4, 0, 12, 0xC1, 0x23, 0, 5, 0xAA, 0, 0, 0)))
	if err != nil || a.Code != CauseNoAuthorization || string(a.Request) != string(hexb(0xC1, 0x23, 0, 5, 0xAA)) {
		t.Errorf("Decode = %v, %+v", err, a)
	}
}

func TestAsconfCauseMalformed(t *testing.T) {
	checkCauseMalformed[AsconfCause](t, hexb(0x00, 0xA5, 0, 4), "cause code", 0)
	checkCauseMalformed[AsconfCause](t, hexb(0x00, 0x9F, 0, 4), "cause code", 0)
	checkCauseMalformed[AsconfCause](t, hexb(0x00, 0xA0), "error cause header", 0)
	checkCauseMalformed[AsconfCause](t, hexb(0x00, 0xA1, 0, 8, 0xC0, 0x01, 0, 16), "parameter length", 6)
	checkCauseMalformed[AsconfCause](t, hexb(0x00, 0xA0, 0, 12, 0x80, 0, 0, 4, 1, 2, 3, 4),
		"Request to Delete Last Remaining IP Address length", 2)
}

func TestSupportedExtensionsReusesSlice(t *testing.T) {
	p := Param(hexb(0x80, 0x08, 0, 9, 0xC1, 0x80, 0xC0, 0x82, 0x0F))
	var s SupportedExtensionsParam
	noAllocs(t, "Supported Extensions", func() { _ = s.Decode(p) })
}
