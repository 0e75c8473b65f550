package stack

import (
	"bytes"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// framedSend queues messages of the given sizes, laid out by SendMsg's
// copy with room for headers of room bytes, on an association whose
// sender uses I-DATA or not, cuts each into one chunk, transmits the
// chunks whose index send lists (all if nil) after an optional control
// chunk, signed by signer if not nil, and returns the one packet sent and
// the messages.
func framedSend(t *testing.T, idata bool, room int, sizes, send []int, ctrl []byte, signer *auth.Session) (pkt packetPieces, msgs [][]byte) {
	t.Helper()
	a := testAssoc()
	a.cfg = &Config{}
	now := time.Now()
	a.tx.init(now, 100, 4, 1<<20, idata, false)
	var ar arena
	var queued []outMsg
	for i, n := range sizes {
		p := bytes.Repeat([]byte{byte(i + 1)}, n)
		data, blk, layout := copyMessage(&ar, p, 9000, room)
		queued = append(queued, outMsg{data: data, blk: blk, layout: layout, info: SendInfo{Stream: uint16(i % 4), PPID: 5}})
		msgs = append(msgs, p)
	}
	a.tx.queue.take(&queued)
	var chunks []*outChunk
	for range sizes {
		chunks = append(chunks, a.nextFragment(a.tx.queue.front(), 9000))
	}
	if send == nil {
		for i := range sizes {
			send = append(send, i)
		}
	}
	conn := &piecesConn{}
	b := &builder{out: &output{conn: conn}, owner: a, port: [2]uint16{1, 2}, auth: signer}
	dest := &path{remote: netip.MustParseAddrPort("127.0.0.2:9899"), local: netip.MustParseAddr("127.0.0.1"), mtu: 65000}
	if ctrl != nil {
		b.open(dest.remote, dest.local, 9, dest.mtu, wire.TypeSack, len(ctrl))
		b.cur = append(b.cur, ctrl...)
	}
	for _, i := range send {
		c := chunks[i]
		b.open(dest.remote, dest.local, 9, dest.mtu, a.tx.dataType(), padLen(a.tx.dataHeaderLen()+len(c.data)))
		a.transmit(now, b, c, dest)
	}
	b.send()
	require.Len(t, conn.dgs, 1, "packets sent")
	return packetPieces{joined: conn.dgs[0].AppendTo(nil), rest: len(conn.dgs[0].Rest)}, msgs
}

// packetPieces is a packet sent, joined from its pieces, and how many
// pieces followed its first.
type packetPieces struct {
	joined []byte
	rest   int
}

// userData decodes the DATA or I-DATA chunks of packet p: their TSNs and
// payloads, each payload's padding checked to be zero.
func userData(t *testing.T, p []byte) (tsns []uint32, payloads [][]byte) {
	t.Helper()
	it := wire.Packet(p).Chunks()
	for c, ok := it.Next(); ok; c, ok = it.Next() {
		switch c.Type() {
		case wire.TypeData:
			var d wire.Data
			require.NoError(t, d.Decode(c))
			tsns, payloads = append(tsns, d.TSN), append(payloads, d.Payload)
		case wire.TypeIData:
			var d wire.IData
			require.NoError(t, d.Decode(c))
			tsns, payloads = append(tsns, d.TSN), append(payloads, d.Payload)
		}
	}
	require.NoError(t, it.Err())
	return tsns, payloads
}

// Small messages that SendMsg framed leave from the send buffer with
// their headers written in place: the packet carries every message
// intact, padding zeroed, under a good CRC32c, and the frames of messages
// queued one after another, in one arena block, go as a single piece.
func TestTransmitFrames(t *testing.T) {
	sizes := []int{100, 301, 3, 1, 250} // odd sizes: padding between frames
	sack := (&wire.Sack{CumTSN: 7, ARwnd: 1 << 20}).Append(nil)
	keys := auth.NewKeyring()
	ours := auth.NewParams([]wire.ChunkType{wire.TypeData, wire.TypeIData})
	theirs := auth.NewParams([]wire.ChunkType{wire.TypeData, wire.TypeIData})
	signer, verifier := auth.NewSession(ours, theirs, keys), auth.NewSession(theirs, ours, keys)
	for _, tc := range []struct {
		name  string
		idata bool
		ctrl  []byte
		auth  bool
	}{
		{"DATA", false, nil, false},
		{"I-DATA", true, nil, false},
		{"DATA after a SACK", false, sack, false},
		{"I-DATA after a SACK", true, sack, false},
		{"I-DATA authenticated", true, nil, true},
		{"DATA after a SACK, authenticated", false, sack, true},
	} {
		room := wire.DataHeaderLen
		if tc.idata {
			room = wire.IDataHeaderLen
		}
		var sign *auth.Session
		if tc.auth {
			sign = signer
		}
		pkt, msgs := framedSend(t, tc.idata, room, sizes, nil, tc.ctrl, sign)
		require.True(t, wire.Packet(pkt.joined).VerifyChecksum(), "%s: checksum", tc.name)
		if tc.auth {
			authAt := wire.CommonHeaderLen + len(tc.ctrl)
			require.Equal(t, auth.Verified, verifier.Verify(pkt.joined[authAt:]), "%s: the peer's verification", tc.name)
		}
		tsns, payloads := userData(t, pkt.joined)
		require.Equal(t, []uint32{100, 101, 102, 103, 104}, tsns, tc.name)
		require.Equal(t, msgs, payloads, tc.name)
		require.Equal(t, 1, pkt.rest, "%s: frames sent as pieces after the packet's own bytes", tc.name)
	}
}

// Frames that do not follow one another in the send buffer go as pieces
// of their own, as when a retransmission skips a chunk the peer has.
func TestTransmitFramesApart(t *testing.T) {
	pkt, msgs := framedSend(t, false, wire.DataHeaderLen, []int{100, 200, 300}, []int{0, 2}, nil, nil)
	require.True(t, wire.Packet(pkt.joined).VerifyChecksum())
	tsns, payloads := userData(t, pkt.joined)
	require.Equal(t, []uint32{100, 102}, tsns)
	require.Equal(t, [][]byte{msgs[0], msgs[2]}, payloads)
	require.Equal(t, 2, pkt.rest, "two frames apart, two pieces")
}

// A message framed for a header of another length, as one queued before
// the peer restarted the association with I-DATA where it had DATA, is
// copied into the packet instead: its header would not fit its room.
func TestTransmitFrameOtherHeader(t *testing.T) {
	pkt, msgs := framedSend(t, true, wire.DataHeaderLen, []int{100, 7}, nil, nil, nil)
	require.True(t, wire.Packet(pkt.joined).VerifyChecksum())
	_, payloads := userData(t, pkt.joined)
	require.Equal(t, msgs, payloads)
	require.Zero(t, pkt.rest, "copied, not sent from the send buffer")
}

// copyFramed leaves the header's room ahead of the copy and zeroes its
// padding, and frameOf finds the whole frame again from the copy and
// its block.
func TestCopyFramed(t *testing.T) {
	ar := arena{cur: &slab{buf: bytes.Repeat([]byte{0xff}, 4096)}} // dirty, as a block from the pool may be
	for n := 1; n <= 9; n++ {
		p := bytes.Repeat([]byte{0xee}, n)
		data, blk, layout := copyMessage(&ar, p, 9000, wire.IDataHeaderLen)
		require.Equal(t, payloadLayout{form: payloadFramed, room: wire.IDataHeaderLen}, layout)
		require.Equal(t, p, data)
		frame := frameOf(data, wire.IDataHeaderLen, blk)
		require.Len(t, frame, wire.IDataHeaderLen+padLen(n))
		require.Same(t, &data[0], &frame[wire.IDataHeaderLen])
		require.Equal(t, make([]byte, padLen(n)-n), frame[wire.IDataHeaderLen+n:], "padding of %d bytes", n)
	}
	// Not framed: without room, too large for a frame, or not whole.
	for _, tc := range []struct{ n, whole, room int }{
		{100, 9000, 0}, {minPiece, 9000, wire.DataHeaderLen}, {100, 99, wire.DataHeaderLen},
	} {
		_, _, sum := copyMessage(&ar, make([]byte, tc.n), tc.whole, tc.room)
		require.NotEqual(t, payloadFramed, sum.form, "%+v", tc)
	}
}
