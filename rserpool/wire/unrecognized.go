package wire

// Decoders skip parameters of types they do not know, wherever they appear.
// What to do about them is up to the receiver, by their action bits (see
// ParamType.Action): ignore them, or drop the message, and perhaps report
// them in an Operation Error with an Unrecognized Parameter cause. The
// iterator here finds them, inside the parameters that hold others too.

// maxNesting is how deep parameters nest: a message holds a Pool Element or
// Server Information, which holds a transport, which holds addresses.
const maxNesting = 3

// UnrecognizedIter walks the parameters of a message, at every depth, and
// returns those whose types this package does not know.
type UnrecognizedIter struct {
	lists [maxNesting]paramList
	depth int
	err   error
}

// paramList is a list being walked and its offset in the message.
type paramList struct {
	b        []byte
	off, pos int // pos: offset of b in the message; off: next item in b
}

func unrecognized(m []byte, off int) UnrecognizedIter {
	off = min(off, len(m))
	return UnrecognizedIter{lists: [maxNesting]paramList{{b: m[off:], pos: off}}, depth: 1}
}

// Next returns the next unrecognized parameter, or false at the end or on
// error.
func (it *UnrecognizedIter) Next() (Param, bool) {
	for it.err == nil && it.depth > 0 {
		l := &it.lists[it.depth-1]
		if l.off >= len(l.b) {
			it.depth--
			continue
		}
		p, err := ParseParam(l.b[l.off:])
		if err != nil {
			it.err = rebase(err, l.pos+l.off)
			return nil, false
		}
		at := l.pos + l.off
		l.off = skipParam(l.off, p, len(l.b))
		if !p.Type().Known() {
			return p, true
		}
		if inner := nestedOffset(p.Type()); inner > 0 && inner <= len(p) && it.depth < maxNesting {
			it.lists[it.depth] = paramList{b: p[inner:], pos: at + inner}
			it.depth++
		}
	}
	return nil, false
}

// Err returns the error that stopped the iteration, if any. Its offset
// counts from the start of the message.
func (it *UnrecognizedIter) Err() error { return it.err }

// nestedOffset returns where the parameters inside a parameter of type t
// start, or 0 if it holds none.
func nestedOffset(t ParamType) int {
	switch {
	case t == ParamPoolElement:
		return ParamHeaderLen + 12 // PE identifier, home server, registration life
	case t == ParamDCCPTransport:
		return ParamHeaderLen + 8 // port, reserved, service code
	case t == ParamServerInformation, t.isTransport():
		return ParamHeaderLen + 4 // server ID; or port and transport use
	}
	return 0
}
