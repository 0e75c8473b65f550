package wire

import (
	"bytes"
	"errors"
	"testing"
)

// paramPtr is the pointer type of a typed parameter T.
type paramPtr[T any] interface {
	*T
	ParamValue
	Decode(Param) error
}

// causePtr is the pointer type of a typed error cause T.
type causePtr[T any] interface {
	*T
	CauseValue
	Decode(Cause) error
}

// checkParam asserts the codec contract for one typed parameter: appended
// alone to an empty list it gives exactly golden (the last item of a list
// is left unpadded), golden decodes to a value equal to v, and that value
// re-encodes to the same bytes.
func checkParam[T any, P paramPtr[T]](t *testing.T, v P, golden []byte) {
	t.Helper()
	if got := AppendParam(nil, v); !bytes.Equal(got, golden) {
		t.Fatalf("AppendParam:\n got % x\nwant % x", got, golden)
	}
	p, err := ParseParam(golden)
	if err != nil || len(p) != len(golden) {
		t.Fatalf("ParseParam: %v, %d of %d bytes", err, len(p), len(golden))
	}
	var d T
	if err := P(&d).Decode(p); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !equalValues(&d, v) {
		t.Errorf("Decode:\n got %+v\nwant %+v", &d, v)
	}
	if again := AppendParam(nil, P(&d)); !bytes.Equal(again, golden) {
		t.Errorf("re-Append:\n got % x\nwant % x", again, golden)
	}
}

// checkCause is checkParam for error causes.
func checkCause[T any, P causePtr[T]](t *testing.T, v P, golden []byte) {
	t.Helper()
	if got := AppendCause(nil, v); !bytes.Equal(got, golden) {
		t.Fatalf("AppendCause:\n got % x\nwant % x", got, golden)
	}
	c, err := ParseCause(golden)
	if err != nil || len(c) != len(golden) {
		t.Fatalf("ParseCause: %v, %d of %d bytes", err, len(c), len(golden))
	}
	var d T
	if err := P(&d).Decode(c); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !equalValues(&d, v) {
		t.Errorf("Decode:\n got %+v\nwant %+v", &d, v)
	}
	if again := AppendCause(nil, P(&d)); !bytes.Equal(again, golden) {
		t.Errorf("re-Append:\n got % x\nwant % x", again, golden)
	}
}

// checkParamMalformed asserts that decoding in fails naming field and off.
func checkParamMalformed[T any, P paramPtr[T]](t *testing.T, in []byte, field string, off int) {
	t.Helper()
	var d T
	wantParseError(t, in, P(&d).Decode(Param(in)), field, off)
}

// checkCauseMalformed asserts that decoding in fails naming field and off.
func checkCauseMalformed[T any, P causePtr[T]](t *testing.T, in []byte, field string, off int) {
	t.Helper()
	var d T
	wantParseError(t, in, P(&d).Decode(Cause(in)), field, off)
}

func wantParseError(t *testing.T, in []byte, err error, field string, off int) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Decode(% x) = %v, want *ParseError", in, err)
	}
	if pe.Field != field || pe.Offset != off {
		t.Errorf("Decode(% x) = %q at %d, want %q at %d", in, pe.Field, pe.Offset, field, off)
	}
}

// packetOf builds a packet from a common header and the chunks given.
func packetOf(chunks ...ChunkValue) Packet {
	b := Header{SrcPort: 1, DstPort: 2, VerificationTag: 3}.Append(nil)
	for _, c := range chunks {
		b = c.Append(b)
	}
	return Packet(b)
}

// noAllocs fails if decoding into a value that was already used allocates.
func noAllocs(t *testing.T, name string, f func()) {
	t.Helper()
	f() // let the value grow its slices first
	if a := testing.AllocsPerRun(100, f); a != 0 {
		t.Errorf("%s: %v allocs per run, want 0", name, a)
	}
}
