package main

import (
	"bytes"
	"hash/crc32"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/stretchr/testify/require"
)

// castagnoli is the reference the work's checksums are compared with.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// The send ring gives every datagram its own copy of the message, back to
// back so that a GSO run is sent in place, starting over at the ring's
// start when the next copy does not fit; it checksums every copy.
func TestSendRingCopiesBackToBack(t *testing.T) {
	r := newSendRing()
	msg := []byte("0123456789")
	r.off = len(r.buf) - 2*len(msg) // room for two copies before the wrap
	ds := make([]encap.Datagram, 3)
	r.fill(ds, msg)
	for i, d := range ds {
		require.Equal(t, msg, d.Data, "datagram %d", i)
	}
	require.Same(t, &r.buf[len(r.buf)-len(msg)], &ds[1].Data[0], "the second copy follows the first")
	require.Same(t, &r.buf[0], &ds[2].Data[0], "the third copy wraps to the start")
	msg[0] = 'x'
	require.NotEqual(t, msg, ds[0].Data, "a copy, not the caller's buffer")
	sum := crc32.Checksum([]byte("0123456789"), castagnoli)
	require.Equal(t, sum, r.sum, "three checksums folded: sum^sum^sum")
}

// The reader checksums every datagram it is given.
func TestReaderConsumes(t *testing.T) {
	rx := newReceiver()
	rx.work = newReader()
	a, b := bytes.Repeat([]byte{1}, 100), bytes.Repeat([]byte{2}, 50)
	rx.handle([]encap.Datagram{{Data: a}, {Data: b}, {}})
	require.Equal(t, crc32.Checksum(a, castagnoli)^crc32.Checksum(b, castagnoli), rx.work.sum)
	require.EqualValues(t, 150, rx.wait(time.Hour).Bytes)
}
