package wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// x parses hand-written hex: pairs of digits, with white space and
// "//" comments (to the end of the line) ignored.
func x(s string) []byte {
	var digits strings.Builder
	for line := range strings.Lines(s) {
		line, _, _ = strings.Cut(line, "//")
		digits.WriteString(strings.Join(strings.Fields(line), ""))
	}
	b, err := hex.DecodeString(digits.String())
	if err != nil {
		panic(err)
	}
	return b
}

func addrs(ss ...string) []netip.Addr {
	out := make([]netip.Addr, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParseAddr(s)
	}
	return out
}

// newValue returns a new zero value of the type v points to.
func newValue[V any](v V) V {
	return reflect.New(reflect.TypeOf(v).Elem()).Interface().(V)
}

// checkASAP asserts the codec contract for one ASAP message: v appends to
// exactly golden (with ASAPLen matching), golden parses and decodes to a
// value equal to v, and that value appends to golden again.
func checkASAP(t *testing.T, v ASAPValue, golden []byte) {
	t.Helper()
	got := AppendASAP([]byte{0xee, 0xee}, v)
	if !bytes.Equal(got[:2], []byte{0xee, 0xee}) {
		t.Fatal("AppendASAP overwrote the buffer prefix")
	}
	if got = got[2:]; !bytes.Equal(got, golden) {
		t.Fatalf("AppendASAP:\n got % x\nwant % x", got, golden)
	}
	if n := ASAPLen(v); n != len(golden) {
		t.Errorf("ASAPLen = %d, want %d", n, len(golden))
	}
	m, err := ParseASAP(golden)
	if err != nil {
		t.Fatalf("ParseASAP: %v", err)
	}
	if m.Type() != v.ASAPType() {
		t.Errorf("Type = %s, want %s", m.Type(), v.ASAPType())
	}
	checkViews(t, m.Params(), m.Unrecognized())
	if m.Flags() != golden[1] || m.Len() != len(golden) {
		t.Errorf("Flags, Len = %#x, %d; want %#x, %d", m.Flags(), m.Len(), golden[1], len(golden))
	}
	d := newValue(v)
	if err := m.Decode(d); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !equalValues(d, v) {
		t.Errorf("Decode:\n got %+v\nwant %+v", d, v)
	}
	if again := AppendASAP(nil, d); !bytes.Equal(again, golden) {
		t.Errorf("re-Append:\n got % x\nwant % x", again, golden)
	}
}

// checkENRP is checkASAP for ENRP messages.
func checkENRP(t *testing.T, v ENRPValue, golden []byte) {
	t.Helper()
	if got := AppendENRP(nil, v); !bytes.Equal(got, golden) {
		t.Fatalf("AppendENRP:\n got % x\nwant % x", got, golden)
	}
	if n := ENRPLen(v); n != len(golden) {
		t.Errorf("ENRPLen = %d, want %d", n, len(golden))
	}
	m, err := ParseENRP(golden)
	if err != nil {
		t.Fatalf("ParseENRP: %v", err)
	}
	if m.Type() != v.ENRPType() || m.Sender() != v.enrpHeader().Sender || m.Receiver() != v.enrpHeader().Receiver {
		t.Errorf("header = %s %#x->%#x, want %s %+v", m.Type(), m.Sender(), m.Receiver(), v.ENRPType(), *v.enrpHeader())
	}
	checkViews(t, m.Params(), m.Unrecognized())
	d := newValue(v)
	if err := m.Decode(d); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !equalValues(d, v) {
		t.Errorf("Decode:\n got %+v\nwant %+v", d, v)
	}
	if again := AppendENRP(nil, d); !bytes.Equal(again, golden) {
		t.Errorf("re-Append:\n got % x\nwant % x", again, golden)
	}
}

// checkViews asserts that the parameters of a well-formed message known to
// this package walk cleanly, which they only do if the view finds where
// they start, and that none is unrecognized.
func checkViews(t *testing.T, ps Params, un UnrecognizedIter) {
	t.Helper()
	it := ps.Iter()
	for _, ok := it.Next(); ok; _, ok = it.Next() {
	}
	if err := it.Err(); err != nil {
		t.Errorf("Params: %v", err)
	}
	if p, ok := un.Next(); ok || un.Err() != nil {
		t.Errorf("Unrecognized = % x, %v; want none", p, un.Err())
	}
}

// paramValue is a typed parameter with its decoder.
type paramValue interface {
	ParamValue
	decoder
}

// checkParam asserts the codec contract for one parameter.
func checkParam(t *testing.T, v paramValue, golden []byte) {
	t.Helper()
	if got := AppendParam(nil, v); !bytes.Equal(got, golden) {
		t.Fatalf("AppendParam:\n got % x\nwant % x", got, golden)
	}
	if n := ParamLen(v); n != len(golden) {
		t.Errorf("ParamLen = %d, want %d", n, len(golden))
	}
	p, err := ParseParam(golden)
	if err != nil {
		t.Fatalf("ParseParam: %v", err)
	}
	if p.Type() != v.ParamType() || p.Len() != len(p) || len(p.Value()) != v.ValueLen() {
		t.Errorf("view: type %s, length %d of %d, value %d bytes; want %s, %d", p.Type(), p.Len(), len(p), len(p.Value()), v.ParamType(), v.ValueLen())
	}
	d := newValue(v)
	if err := d.Decode(p); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !equalValues(d, v) {
		t.Errorf("Decode:\n got %+v\nwant %+v", d, v)
	}
}

// checkError asserts that err is a *ParseError naming field at offset off.
func checkError(t *testing.T, err error, field string, off int) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v, want a *ParseError for %q", err, field)
	}
	if !errors.Is(err, ErrMalformed) {
		t.Errorf("%v does not match ErrMalformed", err)
	}
	if pe.Field != field || pe.Offset != off {
		t.Errorf("error = %q at %d (%s), want %q at %d", pe.Field, pe.Offset, pe.Reason, field, off)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "rserpool: malformed "+field+" at offset ") {
		t.Errorf("Error() = %q", msg)
	}
}

// equalValues compares decoded values, treating nil and empty slices as
// equal: a decoder returns empty views where a hand-built value has nil.
func equalValues(a, b any) bool {
	return reflect.DeepEqual(normalize(reflect.ValueOf(a)), normalize(reflect.ValueOf(b)))
}

func normalize(v reflect.Value) any {
	if v.CanInterface() {
		if a, ok := v.Interface().(netip.Addr); ok {
			return a
		}
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return normalize(v.Elem())
	case reflect.Slice, reflect.Array:
		if v.Len() == 0 {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalize(v.Index(i))
		}
		return out
	case reflect.Struct:
		out := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			out[v.Type().Field(i).Name] = normalize(v.Field(i))
		}
		return out
	}
	return v.Interface()
}
