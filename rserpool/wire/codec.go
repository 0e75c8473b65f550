package wire

import "fmt"

// Every message, and every parameter that holds other parameters, has the
// same shape: a few fixed-size fields followed by a list of parameters in a
// set order, some mandatory, some optional, some repeated. Each such type
// describes its layout once, in a walk method that hands its fields to a
// codec, and the codec sizes, encodes or decodes them. So the wire layout of
// a message is written down in one place and cannot drift between its
// encoder and its decoder.

// walker is implemented by every type laid out by the codec.
//
// walk takes and returns the codec by value: it is called through an
// interface, and a pointer passed that way would move the codec to the heap
// on every decode.
type walker interface {
	walk(c codec) codec
}

type codecMode uint8

const (
	sizing codecMode = iota
	encoding
	decoding
)

// codec holds the state of one pass over a message or a parameter.
type codec struct {
	mode  codecMode
	n     int    // sizing: bytes counted so far
	b     []byte // encoding: the output
	flags uint8  // message flags: collected when encoding, given when decoding
	in    []byte // decoding: the item being decoded, from its first byte
	off   int    // decoding: offset in in of the next unread byte
	err   error  // decoding: the first error
}

func (c *codec) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

// read consumes n bytes of fixed fields.
func (c *codec) read(n int, field string) []byte {
	if c.err != nil {
		return nil
	}
	if len(c.in)-c.off < n {
		c.fail(errShort(field, c.off, n, len(c.in)-c.off))
		return nil
	}
	c.off += n
	return c.in[c.off-n : c.off]
}

// flag maps a bit of the message flags to v.
func (c *codec) flag(v *bool, bit uint8) {
	switch c.mode {
	case encoding:
		if *v {
			c.flags |= bit
		}
	case decoding:
		*v = c.flags&bit != 0
	}
}

// fixed32 is a 32-bit field.
func fixed32[T ~uint32](c *codec, v *T, field string) {
	switch c.mode {
	case sizing:
		c.n += 4
	case encoding:
		c.b = be.AppendUint32(c.b, uint32(*v))
	case decoding:
		if b := c.read(4, field); b != nil {
			*v = T(be.Uint32(b))
		}
	}
}

// fixed16 is a 16-bit field.
func fixed16[T ~uint16](c *codec, v *T, field string) {
	switch c.mode {
	case sizing:
		c.n += 2
	case encoding:
		c.b = be.AppendUint16(c.b, uint16(*v))
	case decoding:
		if b := c.read(2, field); b != nil {
			*v = T(be.Uint16(b))
		}
	}
}

// reserved is a field of n bytes written as zero and ignored when read.
func (c *codec) reserved(n int) {
	switch c.mode {
	case sizing:
		c.n += n
	case encoding:
		c.b = append(c.b, zeros[:n]...)
	case decoding:
		c.read(n, "reserved field")
	}
}

// absent is a field that the variant being walked does not carry: it is not
// written, and it reads as zero.
func absent[T any](c *codec, v *T) {
	if c.mode == decoding {
		*v = *new(T)
	}
}

// peek returns the next parameter of a type this package knows, skipping
// the others, which Unrecognized reports.
func (c *codec) peek() (Param, bool) {
	for c.err == nil && c.off < len(c.in) {
		p, err := ParseParam(c.in[c.off:])
		if err != nil {
			c.fail(rebase(err, c.off))
			return nil, false
		}
		if p.Type().Known() {
			return p, true
		}
		c.off = skipParam(c.off, p, len(c.in))
	}
	return nil, false
}

// match returns the next parameter if a field wanting type want takes it.
func (c *codec) match(want ParamType) (Param, bool) {
	p, ok := c.peek()
	return p, ok && want.accepts(p.Type())
}

// take decodes the parameter p, found at the current offset, into v.
func (c *codec) take(p Param, v decoder) {
	if err := v.Decode(p); err != nil {
		c.fail(rebase(err, c.off))
		return
	}
	c.off = skipParam(c.off, p, len(c.in))
}

// put sizes or encodes one parameter.
func (c *codec) put(v ParamValue) {
	if c.mode == sizing {
		c.n += ParamLen(v)
	} else {
		c.b = AppendParam(c.b, v)
	}
}

// end finishes decoding: every parameter left must be of an unknown type.
func (c *codec) end() error {
	if p, ok := c.peek(); ok {
		c.fail(errAt("parameter type", c.off, fmt.Sprintf("unexpected %s parameter", p.Type())))
	}
	return c.err
}

type decoder interface {
	Decode(p Param) error
}

// paramPtr is the pointer type of a typed parameter T.
type paramPtr[T any] interface {
	*T
	ParamValue
	decoder
}

// one is a mandatory parameter.
func one[T any, P paramPtr[T]](c *codec, v P, want ParamType) {
	if c.mode != decoding {
		c.put(v)
		return
	}
	if p, ok := c.match(want); ok {
		c.take(p, v)
		return
	}
	if c.err == nil {
		reason := "mandatory parameter missing"
		if p, ok := c.peek(); ok {
			reason += ", found " + p.Type().String()
		}
		c.fail(errAt(want.wantName()+" parameter", c.off, reason))
	}
}

// opt is an optional parameter, written only if present and zero when
// absent from the input.
func opt[T any, P paramPtr[T]](c *codec, v P, want ParamType, present bool) {
	if c.mode != decoding {
		if present {
			c.put(v)
		}
		return
	}
	if p, ok := c.match(want); ok {
		c.take(p, v)
		return
	}
	*v = *new(T)
}

// many is a run of zero or more parameters. Decoding reuses the elements s
// already holds, so decoding into a value decoded before allocates nothing.
func many[T any, P paramPtr[T]](c *codec, s *[]T, want ParamType) {
	if c.mode != decoding {
		for i := range *s {
			c.put(P(&(*s)[i]))
		}
		return
	}
	*s = (*s)[:0]
	for {
		p, ok := c.match(want)
		if !ok {
			return
		}
		*s = grow(*s)
		c.take(p, P(&(*s)[len(*s)-1]))
	}
}

// grow extends s by one element, reusing spare capacity and what the reused
// element holds (its own slices in particular).
func grow[T any](s []T) []T {
	if len(s) < cap(s) {
		return s[:len(s)+1]
	}
	return append(s, *new(T))
}

// appendWalk, walkLen and decodeParam give a walker the ParamValue and
// decoder methods of a parameter that holds fixed fields and parameters.
func appendWalk(b []byte, w walker) []byte { return w.walk(codec{mode: encoding, b: b}).b }

func walkLen(w walker) int { return w.walk(codec{mode: sizing}).n }

func decodeParam(p Param, want ParamType, w walker) error {
	if err := expectParam(p, want); err != nil {
		return err
	}
	c := w.walk(codec{mode: decoding, in: p, off: ParamHeaderLen})
	return c.end()
}

// expectParam checks that p is a parameter a field wanting type want takes.
func expectParam(p Param, want ParamType) error {
	if len(p) < ParamHeaderLen {
		return errShort("parameter header", 0, ParamHeaderLen, len(p))
	}
	if !want.accepts(p.Type()) {
		return errAt("parameter type", 0, fmt.Sprintf("%s, want %s", p.Type(), want.wantName()))
	}
	return nil
}

// expectValueLen checks that p is a parameter of type want whose value has
// exactly n bytes.
func expectValueLen(p Param, want ParamType, n int) error {
	if err := expectParam(p, want); err != nil {
		return err
	}
	if len(p.Value()) != n {
		return errAt(want.String()+" length", 2, fmt.Sprintf("%d, want %d", len(p), ParamHeaderLen+n))
	}
	return nil
}
