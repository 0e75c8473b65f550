package encap

import "sync"

// Len returns the datagram's length: Data and Rest.
func (d *Datagram) Len() int {
	n := len(d.Data)
	for _, p := range d.Rest {
		n += len(p)
	}
	return n
}

// AppendTo appends the datagram's bytes, Data and then Rest, to b.
func (d *Datagram) AppendTo(b []byte) []byte {
	b = append(b, d.Data...)
	for _, p := range d.Rest {
		b = append(b, p...)
	}
	return b
}

// flatPool holds buffers for the paths that need a datagram in one slice
// (the portable send path, the tap), so that they allocate nothing.
var flatPool = sync.Pool{New: func() any { return new([]byte) }}

// flat returns d's bytes in one slice: Data itself, or a copy in *buf.
func (d *Datagram) flat(buf *[]byte) []byte {
	if len(d.Rest) == 0 {
		return d.Data
	}
	*buf = d.AppendTo((*buf)[:0])
	return *buf
}
