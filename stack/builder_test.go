package stack

import (
	"bytes"
	"net/netip"
	"slices"
	"testing"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// layoutConn records, for each SendBatch, the packets and whether each
// starts where the one before it ends, in one array (as encap needs to
// send a GSO run in place).
type layoutConn struct {
	PacketConn // nil: the output uses only SendBatch
	packets    [][]byte
	adjacent   []bool
}

func (c *layoutConn) SendBatch(ds []encap.Datagram) error {
	for i, d := range ds {
		c.packets = append(c.packets, d.AppendTo(nil))
		if i > 0 {
			prev := ds[i-1].Data
			rest := prev[len(prev):cap(prev)]
			c.adjacent = append(c.adjacent, len(rest) > 0 && &rest[0] == &d.Data[0])
		}
	}
	return nil
}

// A builder lays a batch's packets out back to back: a small first area
// for flushes of a packet or two, and once a batch outgrows it, one large
// enough for a GSO run, where every packet follows the one before.
func TestBuilderLaysPacketsBackToBack(t *testing.T) {
	conn := &layoutConn{}
	b := &builder{out: &output{conn: conn}, owner: testAssoc()}
	dest := netip.MustParseAddrPort("127.0.0.2:9899")
	src := netip.MustParseAddr("127.0.0.1")
	payload := bytes.Repeat([]byte{7}, 1000)
	flush := func(n int) {
		conn.packets, conn.adjacent = nil, nil
		for i := range n {
			b.open(dest, src, 1, 1452, wire.TypeData, 16+len(payload))
			b.cur = (&wire.Data{TSN: uint32(i), Payload: payload}).Append(b.cur)
		}
		b.send()
		if len(conn.packets) != n {
			t.Fatalf("%d packets sent, want %d", len(conn.packets), n)
		}
		for i, p := range conn.packets {
			if !wire.Packet(p).VerifyChecksum() || !bytes.Contains(p, payload) {
				t.Fatalf("packet %d of %d bytes is not what was built", i, len(p))
			}
		}
	}

	flush(1)
	if len(b.areas) != 1 || cap(b.areas[0]) != firstArea {
		t.Fatalf("one packet: areas %d, the first of %d bytes; want one of %d", len(b.areas), cap(b.areas[0]), firstArea)
	}
	flush(40) // outgrows the first area
	flush(40)
	for i, ok := range conn.adjacent {
		if !ok {
			t.Errorf("packet %d does not follow packet %d", i+1, i)
		}
	}
	if len(b.areas) != 1 || cap(b.areas[0]) != areaSize {
		t.Errorf("after a large batch: %d areas, the first of %d bytes; want one of %d", len(b.areas), cap(b.areas[0]), areaSize)
	}
}

// piecesConn records the datagrams of each SendBatch as they came, pieces
// and all.
type piecesConn struct {
	PacketConn // nil: the output uses only SendBatch
	dgs        []encap.Datagram
}

func (c *piecesConn) SendBatch(ds []encap.Datagram) error {
	for _, d := range ds {
		d.Rest = slices.Clone(d.Rest) // the builder reuses its list
		c.dgs = append(c.dgs, d)
	}
	return nil
}

// A packet whose large DATA payloads stay where they lie goes out in
// pieces that join into exactly the packet built by copying them: the
// same bytes, padding included, a good CRC32c over all of them, and with
// SCTP-AUTH an HMAC the peer verifies. Payloads of minPiece bytes or more
// are not copied; smaller ones are. The packet's CRC is the same whether
// it reads the pieces or combines the CRCs SendMsg computed of them.
func TestBuilderPayloadPieces(t *testing.T) {
	dest := netip.MustParseAddrPort("127.0.0.2:9899")
	src := netip.MustParseAddr("127.0.0.1")
	var payloads [][]byte
	for i, n := range []int{100, minPiece, 1001, 3, minPiece + 1, minPiece - 1, minPiece + 2} {
		payloads = append(payloads, bytes.Repeat([]byte{byte(i + 1)}, n))
	}
	keys := auth.NewKeyring()
	ours := auth.NewParams([]wire.ChunkType{wire.TypeData})
	theirs := auth.NewParams([]wire.ChunkType{wire.TypeData})
	signer, verifier := auth.NewSession(ours, theirs, keys), auth.NewSession(theirs, ours, keys)
	for _, tc := range []struct {
		name string
		auth *auth.Session
		ctrl []byte // a control chunk ahead of the DATA
		sums bool   // the payloads' CRCs are known
	}{
		{"plain", nil, nil, false},
		{"sack first", nil, (&wire.Sack{CumTSN: 7, ARwnd: 1 << 20}).Append(nil), false},
		{"auth", signer, (&wire.Sack{CumTSN: 7, ARwnd: 1 << 20}).Append(nil), false},
		{"known CRCs", nil, nil, true},
		{"known CRCs, sack first", nil, (&wire.Sack{CumTSN: 7, ARwnd: 1 << 20}).Append(nil), true},
		{"known CRCs, auth", signer, (&wire.Sack{CumTSN: 7, ARwnd: 1 << 20}).Append(nil), true},
	} {
		conn := &piecesConn{}
		b := &builder{out: &output{conn: conn}, owner: testAssoc(), port: [2]uint16{1, 2}, auth: tc.auth}
		want := wire.Header{SrcPort: 1, DstPort: 2, VerificationTag: 9}.Append(nil)
		if tc.ctrl != nil {
			b.open(dest, src, 9, 65000, wire.TypeSack, len(tc.ctrl))
			b.cur = append(b.cur, tc.ctrl...)
			want = append(want, tc.ctrl...)
		}
		authAt := len(want)
		if tc.auth != nil {
			want = signer.AppendAuth(want)
		}
		for i, p := range payloads {
			d := wire.Data{TSN: uint32(i), Stream: 1, SSN: uint16(i), PPID: 5, Payload: p}
			b.open(dest, src, 9, 65000, wire.TypeData, d.Len())
			b.cur = d.AppendHeader(b.cur)
			var sum payloadLayout
			if tc.sums {
				sum = payloadLayout{crc: wire.CRC32c(p), form: payloadSummed}
			}
			b.addPayload(p, sum)
			want = d.Append(want)
		}
		if tc.auth != nil {
			if err := signer.Sign(want[authAt:]); err != nil {
				t.Fatal(err)
			}
		}
		wire.SetChecksum(want)
		b.send()

		if len(conn.dgs) != 1 {
			t.Fatalf("%s: %d packets, want 1", tc.name, len(conn.dgs))
		}
		d := conn.dgs[0]
		got := d.AppendTo(nil)
		if !bytes.Equal(got, want) || !wire.Packet(got).VerifyChecksum() {
			t.Fatalf("%s: the pieces join into %d bytes (good CRC: %v), not the %d of the packet built whole", tc.name, len(got), wire.Packet(got).VerifyChecksum(), len(want))
		}
		if tc.auth != nil {
			if res := verifier.Verify(got[authAt:]); res != auth.Verified {
				t.Errorf("%s: the peer's verification says %v", tc.name, res)
			}
		}
		for i, p := range payloads {
			inPlace := slices.ContainsFunc(d.Rest, func(r []byte) bool { return &r[0] == &p[0] })
			if inPlace != (len(p) >= minPiece) {
				t.Errorf("%s: payload %d of %d bytes sent in place: %v", tc.name, i, len(p), inPlace)
			}
		}
	}
}

// batchConn records the datagrams and bytes of each SendBatch.
type batchConn struct {
	PacketConn // nil: the output uses only SendBatch
	counts     []int
	bytes      []int
}

func (c *batchConn) SendBatch(ds []encap.Datagram) error {
	n := 0
	for _, d := range ds {
		n += d.Len()
	}
	c.counts, c.bytes = append(c.counts, len(ds)), append(c.bytes, n)
	return nil
}

// A flush of large packets goes out in batches of about maxBatchBytes,
// not maxBatch packets (64 of 64 KiB, 4 MiB in one go, had the sender's
// loop write for a whole round before it saw the next SACK, and left the
// data cold in the cache for the kernel's copy); small packets still go
// maxBatch at a time.
func TestBuilderBatchBytes(t *testing.T) {
	dest := netip.MustParseAddrPort("127.0.0.2:9899")
	src := netip.MustParseAddr("127.0.0.1")
	flush := func(n, size int) *batchConn {
		conn := &batchConn{}
		b := &builder{out: &output{conn: conn}, owner: testAssoc()}
		payload := bytes.Repeat([]byte{7}, size)
		for i := range n {
			b.open(dest, src, 1, size+64, wire.TypeData, 16+len(payload))
			b.cur = (&wire.Data{TSN: uint32(i), Payload: payload}).Append(b.cur)
		}
		b.send()
		return conn
	}
	large := flush(20, 60000)
	if len(large.counts) < 20*60000/(maxBatchBytes+60000) || len(large.counts) == 1 {
		t.Errorf("20 packets of 60000 bytes went in %d batches %v", len(large.counts), large.counts)
	}
	for i, n := range large.bytes {
		if n > maxBatchBytes+60100 {
			t.Errorf("batch %d carried %d bytes, more than %d and a packet", i, n, maxBatchBytes)
		}
	}
	if small := flush(maxBatch, 1000); !slices.Equal(small.counts, []int{maxBatch}) {
		t.Errorf("%d packets of 1000 bytes went in batches %v, want one", maxBatch, small.counts)
	}
}

// The packet's CRC does use the CRCs given for its pieces: with one of
// them wrong, the packet fails its check.
func TestBuilderUsesKnownCRCs(t *testing.T) {
	conn := &layoutConn{}
	b := &builder{out: &output{conn: conn}, owner: testAssoc(), port: [2]uint16{1, 2}}
	dest := netip.MustParseAddrPort("127.0.0.2:9899")
	src := netip.MustParseAddr("127.0.0.1")
	for i, wrong := range []bool{false, true, false} {
		p := bytes.Repeat([]byte{byte(i + 1)}, minPiece+i)
		d := wire.Data{TSN: uint32(i), Payload: p}
		b.open(dest, src, 9, 65000, wire.TypeData, d.Len())
		b.cur = d.AppendHeader(b.cur)
		sum := payloadLayout{crc: wire.CRC32c(p), form: payloadSummed}
		if wrong {
			sum.crc++
		}
		b.addPayload(p, sum)
		b.send() // one packet each
	}
	if len(conn.packets) != 3 {
		t.Fatalf("%d packets, want 3", len(conn.packets))
	}
	for i, p := range conn.packets {
		if got, want := wire.Packet(p).VerifyChecksum(), i != 1; got != want {
			t.Errorf("packet %d: checksum verifies: %v, want %v", i, got, want)
		}
	}
}

// SendMsg checksums only messages that go as pieces in one chunk: the CRC
// of a smaller one or of one cut into fragments would go unused. Every
// message is copied whole.
func TestCopySummedWholePiecesOnly(t *testing.T) {
	p := bytes.Repeat([]byte{3}, minPiece+1)
	for _, tc := range []struct {
		n, whole int
		known    bool
	}{
		{minPiece - 1, 9000, false},
		{minPiece, 9000, true},
		{minPiece + 1, minPiece + 1, true},
		{minPiece + 1, minPiece, false},
		{minPiece, 0, false}, // before the loop has cut any message
	} {
		var ar arena
		c, _, sum := copyMessage(&ar, p[:tc.n], tc.whole, 0)
		if !bytes.Equal(c, p[:tc.n]) {
			t.Errorf("%d bytes, whole up to %d: the copy differs", tc.n, tc.whole)
		}
		if (sum.form == payloadSummed) != tc.known || (sum.form == payloadSummed && sum.crc != wire.CRC32c(p[:tc.n])) {
			t.Errorf("%d bytes, whole up to %d: %+v, want known %v", tc.n, tc.whole, sum, tc.known)
		}
	}
}
