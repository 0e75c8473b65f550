package wire

import (
	"bytes"
	"reflect"
	"testing"
)

// chunkPtr is the pointer type of a typed chunk T.
type chunkPtr[T any] interface {
	*T
	ChunkValue
}

// checkChunk asserts the codec contract for one typed chunk: v appends to
// exactly golden (with Len matching), golden decodes to a value equal to v,
// and that value re-encodes to the same bytes.
func checkChunk[T any, P chunkPtr[T]](t *testing.T, v P, golden []byte) {
	t.Helper()
	prefix := []byte{0xEE, 0xEE} // Append must keep what the buffer holds
	got := v.Append(append([]byte(nil), prefix...))
	if !bytes.Equal(got[:2], prefix) {
		t.Fatalf("Append overwrote the buffer prefix")
	}
	got = got[2:]
	if !bytes.Equal(got, golden) {
		t.Fatalf("Append:\n got % x\nwant % x", got, golden)
	}
	if v.Len() != len(golden) {
		t.Errorf("Len() = %d, want %d", v.Len(), len(golden))
	}
	c, err := ParseChunk(golden)
	if err != nil {
		t.Fatalf("ParseChunk: %v", err)
	}
	if c.Type() != v.ChunkType() {
		t.Errorf("type %s, want %s", c.Type(), v.ChunkType())
	}
	var d T
	if err := P(&d).Decode(c); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if !equalValues(&d, v) {
		t.Errorf("Decode:\n got %+v\nwant %+v", &d, v)
	}
	if again := P(&d).Append(nil); !bytes.Equal(again, golden) {
		t.Errorf("re-Append:\n got % x\nwant % x", again, golden)
	}
}

// equalValues compares decoded values, treating nil and empty slices as
// equal: a decoder returns empty views where a hand-built value has nil.
func equalValues(a, b any) bool {
	return reflect.DeepEqual(normalize(reflect.ValueOf(a)), normalize(reflect.ValueOf(b)))
}

func normalize(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return normalize(v.Elem())
	case reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalize(v.Index(i))
		}
		return out
	case reflect.Struct:
		if hasUnexported(v.Type()) && v.CanInterface() {
			// Opaque values such as netip.Addr compare as a whole.
			return v.Interface()
		}
		out := make(map[string]any, v.NumField())
		for i := range v.NumField() {
			out[v.Type().Field(i).Name] = normalize(v.Field(i))
		}
		return out
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = normalize(v.Index(i))
		}
		return out
	default:
		if v.CanInterface() {
			return v.Interface()
		}
		return v.String()
	}
}

func hasUnexported(t reflect.Type) bool {
	for i := range t.NumField() {
		if !t.Field(i).IsExported() {
			return true
		}
	}
	return false
}

// checkMalformed asserts that decoding each input fails with a ParseError
// naming the field and offset given.
func checkMalformed[T any, P chunkPtr[T]](t *testing.T, in []byte, field string, off int) {
	t.Helper()
	var d T
	err := P(&d).Decode(Chunk(in))
	pe, ok := err.(*ParseError)
	if !ok {
		t.Fatalf("Decode(% x) = %v, want *ParseError", in, err)
	}
	if pe.Field != field || pe.Offset != off {
		t.Errorf("Decode(% x) = %q at %d, want %q at %d", in, pe.Field, pe.Offset, field, off)
	}
}

// hexb builds bytes from a compact literal list, for golden tables.
func hexb(b ...byte) []byte { return b }

// fuzzRoundTrip is the fuzzing contract for one typed chunk: decoding any
// input never panics, and whatever decodes re-encodes to bytes that decode
// to an equal value.
func fuzzRoundTrip[T any, P chunkPtr[T]](t *testing.T, in []byte) {
	c, err := ParseChunk(in)
	if err != nil {
		return
	}
	var d T
	if P(&d).Decode(c) != nil {
		return
	}
	out := P(&d).Append(nil)
	if len(out) != P(&d).Len() {
		t.Fatalf("Len() = %d, Append wrote %d", P(&d).Len(), len(out))
	}
	c2, err := ParseChunk(out)
	if err != nil {
		t.Fatalf("re-encoded chunk does not parse: %v\n% x", err, out)
	}
	var d2 T
	if err := P(&d2).Decode(c2); err != nil {
		t.Fatalf("re-encoded chunk does not decode: %v\n% x", err, out)
	}
	if !equalValues(&d, &d2) {
		t.Fatalf("round trip changed the value:\n got %+v\nwant %+v", &d2, &d)
	}
}

// seedChunks adds the encodings of vs to a fuzz corpus.
func seedChunks(f *testing.F, vs ...ChunkValue) {
	for _, v := range vs {
		f.Add(v.Append(nil))
	}
}
