package wire

import "testing"

func TestBaseCausesGolden(t *testing.T) {
	t.Run("Invalid Stream Identifier", func(t *testing.T) {
		checkCause(t, &InvalidStreamCause{Stream: 0x1234}, hexb(0x00, 0x01, 0x00, 0x08, 0x12, 0x34, 0x00, 0x00))
	})
	t.Run("Missing Mandatory Parameter", func(t *testing.T) {
		checkCause(t, &MissingParamCause{Types: []ParamType{ParamStateCookie}},
			hexb(0x00, 0x02, 0x00, 0x0A, 0, 0, 0, 1, 0x00, 0x07))
		checkCause(t, &MissingParamCause{Types: []ParamType{ParamIPv4Address, ParamStateCookie}},
			hexb(0x00, 0x02, 0x00, 0x0C, 0, 0, 0, 2, 0x00, 0x05, 0x00, 0x07))
		checkCause(t, &MissingParamCause{}, hexb(0x00, 0x02, 0x00, 0x08, 0, 0, 0, 0))
	})
	t.Run("Stale Cookie", func(t *testing.T) {
		checkCause(t, &StaleCookieCause{StalenessMicros: 1000}, hexb(0x00, 0x03, 0x00, 0x08, 0x00, 0x00, 0x03, 0xE8))
	})
	t.Run("Out of Resource", func(t *testing.T) {
		checkCause(t, &EmptyCause{Code: CauseOutOfResource}, hexb(0x00, 0x04, 0x00, 0x04))
	})
	t.Run("Unresolvable Address", func(t *testing.T) {
		checkCause(t, &UnresolvableAddrCause{Address: Param(hexb(0x00, 0x0B, 0x00, 0x06, 'h', 0))},
			hexb(0x00, 0x05, 0x00, 0x0A, 0x00, 0x0B, 0x00, 0x06, 'h', 0))
	})
	t.Run("Unrecognized Chunk Type", func(t *testing.T) {
		checkCause(t, &UnrecognizedChunkCause{Chunk: Chunk(hexb(0xE0, 0x01, 0x00, 0x07, 1, 2, 3))},
			hexb(0x00, 0x06, 0x00, 0x0B, 0xE0, 0x01, 0x00, 0x07, 1, 2, 3))
	})
	t.Run("Invalid Mandatory Parameter", func(t *testing.T) {
		checkCause(t, &EmptyCause{Code: CauseInvalidMandatoryParam}, hexb(0x00, 0x07, 0x00, 0x04))
	})
	t.Run("Unrecognized Parameters", func(t *testing.T) {
		// Two parameters; the first one's padding sits between them.
		checkCause(t, &UnrecognizedParamsCause{Params: Params(hexb(0xC0, 0xFF, 0x00, 0x05, 9, 0, 0, 0, 0x8A, 0xBC, 0x00, 0x04))},
			hexb(0x00, 0x08, 0x00, 0x10, 0xC0, 0xFF, 0x00, 0x05, 9, 0, 0, 0, 0x8A, 0xBC, 0x00, 0x04))
	})
	t.Run("No User Data", func(t *testing.T) {
		checkCause(t, &NoUserDataCause{TSN: 0x01020304}, hexb(0x00, 0x09, 0x00, 0x08, 1, 2, 3, 4))
	})
	t.Run("Cookie Received While Shutting Down", func(t *testing.T) {
		checkCause(t, &EmptyCause{Code: CauseCookieWhileShuttingDown}, hexb(0x00, 0x0A, 0x00, 0x04))
	})
	t.Run("Restart of an Association with New Addresses", func(t *testing.T) {
		checkCause(t, &RestartAddrsCause{Addresses: Params(hexb(0x00, 0x05, 0x00, 0x08, 198, 51, 100, 7))},
			hexb(0x00, 0x0B, 0x00, 0x0C, 0x00, 0x05, 0x00, 0x08, 198, 51, 100, 7))
	})
	t.Run("User-Initiated Abort", func(t *testing.T) {
		checkCause(t, &UserAbortCause{Reason: []byte("bye")}, hexb(0x00, 0x0C, 0x00, 0x07, 'b', 'y', 'e'))
	})
	t.Run("Protocol Violation", func(t *testing.T) {
		checkCause(t, &ProtocolViolationCause{Info: []byte("bad tsn")},
			hexb(0x00, 0x0D, 0x00, 0x0B, 'b', 'a', 'd', ' ', 't', 's', 'n'))
	})
}

func TestNestedItemsCountedPadding(t *testing.T) {
	// usrsctp copies the unrecognized chunk with its padding and counts it.
	var u UnrecognizedChunkCause
	if err := u.Decode(Cause(hexb(0x00, 0x06, 0x00, 0x0C, 0xE0, 0x01, 0x00, 0x05, 7, 0, 0, 0))); err != nil {
		t.Fatal(err)
	}
	if string(u.Chunk) != string(hexb(0xE0, 0x01, 0x00, 0x05, 7)) || u.Chunk.Type() != 0xE0 {
		t.Errorf("Chunk = % x", u.Chunk)
	}
	var r RestartAddrsCause
	if err := r.Decode(Cause(hexb(0x00, 0x0B, 0x00, 0x0C, 0x00, 0x0B, 0x00, 0x06, 'h', 0, 0, 0))); err != nil {
		t.Fatal(err)
	}
	if len(r.Addresses) != 6 {
		t.Errorf("Addresses holds %d bytes, want 6", len(r.Addresses))
	}
}

func TestBaseCausesMalformed(t *testing.T) {
	checkCauseMalformed[InvalidStreamCause](t, hexb(0x00, 0x01, 0x00, 0x0A, 0, 5, 0, 0, 1, 2), "Invalid Stream Identifier length", 2)
	checkCauseMalformed[InvalidStreamCause](t, hexb(0x00, 0x09, 0x00, 0x08, 0, 5, 0, 0), "cause code", 0)
	checkCauseMalformed[MissingParamCause](t, hexb(0x00, 0x02, 0x00, 0x0A, 0, 0, 0, 2, 0x00, 0x07), "Missing Mandatory Parameter count", 4)
	checkCauseMalformed[MissingParamCause](t, hexb(0x00, 0x02, 0x00, 0x0B, 0, 0, 0, 1, 0x00, 0x07, 0), "Missing Mandatory Parameter count", 4)
	checkCauseMalformed[MissingParamCause](t, hexb(0x00, 0x02, 0x00, 0x08, 0xFF, 0xFF, 0xFF, 0xFF), "Missing Mandatory Parameter count", 4)
	checkCauseMalformed[MissingParamCause](t, hexb(0x00, 0x02, 0x00, 0x06, 0, 0), "Missing Mandatory Parameter value", 4)
	checkCauseMalformed[StaleCookieCause](t, hexb(0x00, 0x03, 0x00, 0x06, 0, 0), "Stale Cookie Error value", 4)
	checkCauseMalformed[NoUserDataCause](t, hexb(0x00, 0x09, 0x00, 0x0C, 0, 0, 0, 1, 0, 0, 0, 0), "No User Data length", 2)
	checkCauseMalformed[EmptyCause](t, hexb(0x00, 0x04, 0x00, 0x08, 0, 0, 0, 0), "Out of Resource length", 2)
	checkCauseMalformed[EmptyCause](t, hexb(0x00, 0x04), "error cause header", 0)
	checkCauseMalformed[UnresolvableAddrCause](t, hexb(0x00, 0x05, 0x00, 0x04), "parameter header", 4)
	checkCauseMalformed[UnrecognizedChunkCause](t, hexb(0x00, 0x06, 0x00, 0x08, 0xE0, 0x00, 0x00, 0x03), "chunk length", 6)
	checkCauseMalformed[UnrecognizedChunkCause](t, hexb(0x00, 0x06, 0x00, 0x10, 0xE0, 0x00, 0x00, 0x04, 1, 2, 3, 4, 5, 6, 7, 8),
		"Unrecognized Chunk Type length", 2)
	checkCauseMalformed[UnrecognizedParamsCause](t, hexb(0x00, 0x08, 0x00, 0x0A, 0x8A, 0xBC, 0x00, 0x04, 0, 0), "parameter header", 8)
	checkCauseMalformed[RestartAddrsCause](t, hexb(0x00, 0x0B, 0x00, 0x0A, 0x00, 0x05, 0x00, 0x08, 198, 51), "parameter length", 6)
	checkCauseMalformed[UserAbortCause](t, hexb(0x00, 0x0D, 0x00, 0x04), "cause code", 0)
	checkCauseMalformed[ProtocolViolationCause](t, hexb(0x00, 0x0D, 0x00), "error cause header", 0)
}
