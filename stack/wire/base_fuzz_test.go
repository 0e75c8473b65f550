package wire

import (
	"net/netip"
	"testing"
)

// seedParams is a list holding every RFC 9260 parameter type once, plus an
// unknown one, with odd lengths so that padding sits between items.
func seedParams() Params {
	vs := []ParamValue{
		&AddressParam{Addr: netip.MustParseAddr("192.0.2.1")},
		&AddressParam{Addr: netip.MustParseAddr("2001:db8::1")},
		&CookiePreservativeParam{IncrementMillis: 1000},
		&HostNameParam{Name: []byte("h.example")},
		&SupportedAddrTypesParam{Types: []ParamType{ParamIPv4Address, ParamIPv6Address, ParamHostNameAddress}},
		&StateCookieParam{Cookie: []byte("cookie")},
		&UnrecognizedParam{Param: Param(hexb(0xC0, 0xFF, 0x00, 0x05, 1))},
		&HeartbeatInfoParam{Info: []byte{1, 2, 3}},
		&ECNCapableParam{},
		&RawParam{Type: 0x8ABC, Value: []byte{7}},
	}
	var ps Params
	for _, v := range vs {
		ps = AppendParam(ps, v)
	}
	return ps
}

// seedCauses is a list holding every RFC 9260 cause once.
func seedCauses() Causes {
	vs := []CauseValue{
		&InvalidStreamCause{Stream: 3},
		&MissingParamCause{Types: []ParamType{ParamStateCookie}},
		&StaleCookieCause{StalenessMicros: 5},
		&EmptyCause{Code: CauseOutOfResource},
		&UnresolvableAddrCause{Address: Param(hexb(0x00, 0x0B, 0x00, 0x06, 'h', 0))},
		&UnrecognizedChunkCause{Chunk: Chunk(hexb(0xE0, 0x00, 0x00, 0x05, 1))},
		&EmptyCause{Code: CauseInvalidMandatoryParam},
		&UnrecognizedParamsCause{Params: Params(hexb(0xC0, 0xFF, 0x00, 0x05, 1))},
		&NoUserDataCause{TSN: 9},
		&EmptyCause{Code: CauseCookieWhileShuttingDown},
		&RestartAddrsCause{Addresses: Params(hexb(0x00, 0x05, 0x00, 0x08, 10, 0, 0, 1))},
		&UserAbortCause{Reason: []byte("bye")},
		&ProtocolViolationCause{Info: []byte("why")},
	}
	var cs Causes
	for _, v := range vs {
		cs = AppendCause(cs, v)
	}
	return cs
}

func FuzzInit(f *testing.F) {
	ps := seedParams()
	seedChunks(f,
		&Init{InitiateTag: 1, ARwnd: 2, OutStreams: 3, InStreams: 4, InitialTSN: 5, Params: ps},
		&InitAck{InitiateTag: 6, Params: ps},
		&Init{})
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[Init](t, in)
		fuzzRoundTrip[InitAck](t, in)
		var i Init
		if i.Decode(Chunk(in)) == nil {
			walkParams(t, i.Params)
		}
		var a InitAck
		if a.Decode(Chunk(in)) == nil {
			walkParams(t, a.Params)
		}
	})
}

func FuzzAbortError(f *testing.F) {
	cs := seedCauses()
	seedChunks(f, &Abort{TagReflected: true, Causes: cs}, &ErrorChunk{Causes: cs}, &Abort{})
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[Abort](t, in)
		fuzzRoundTrip[ErrorChunk](t, in)
		var a Abort
		if a.Decode(Chunk(in)) == nil {
			walkCauses(t, a.Causes)
		}
		var e ErrorChunk
		if e.Decode(Chunk(in)) == nil {
			walkCauses(t, e.Causes)
		}
	})
}

func FuzzShutdownCookieECN(f *testing.F) {
	seedChunks(f, &Shutdown{CumTSNAck: 7}, &ShutdownAck{}, &ShutdownComplete{TagReflected: true},
		&CookieEcho{Cookie: []byte("cookie")}, &CookieAck{}, &ECNE{LowestTSN: 8}, &CWR{LowestTSN: 9})
	f.Add(hexb(0x0C, 0x00, 0x00, 0x0C, 0, 0, 0, 42, 0, 0, 0, 3)) // draft ECNE
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[Shutdown](t, in)
		fuzzRoundTrip[ShutdownAck](t, in)
		fuzzRoundTrip[ShutdownComplete](t, in)
		fuzzRoundTrip[CookieEcho](t, in)
		fuzzRoundTrip[CookieAck](t, in)
		fuzzRoundTrip[ECNE](t, in)
		fuzzRoundTrip[CWR](t, in)
	})
}
