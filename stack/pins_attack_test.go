package stack

// Packets crafted by an attacker, or broken on the way, aimed at the DATA
// chunks an association keeps in the buffers the transport lent for their
// packets (pins). The association must give every buffer back once what
// it holds has been read or can no longer be, never hold more than its
// limit, and deliver every message once, byte for byte: the scripted
// endpoint's transport (lending) overwrites every buffer it gets back, so
// a message read from a buffer given back too early shows the pattern.

import (
	"bytes"
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/encap"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// attackSize is the size of the attack tests' messages.
const attackSize = 300

// chunksOf returns message i (payload(i, size), PPID i) on stream sid with
// sequence number ssn as DATA chunks of at most per bytes, with s's next
// TSNs.
func chunksOf(s *session, i int, sid, ssn uint16, size, per int) []*wire.Data {
	msg := payload(i, size)
	var ds []*wire.Data
	for off := 0; off < size; off += per {
		d := &wire.Data{TSN: s.tsn, Stream: sid, SSN: ssn, PPID: uint32(i), Payload: msg[off:min(off+per, size)]}
		if off == 0 {
			d.Flags |= wire.FlagBegin
		}
		if off+per >= size {
			d.Flags |= wire.FlagEnd
		}
		ds = append(ds, d)
		s.tsn++
	}
	return ds
}

// wholeMsg returns message i as one DATA chunk (see chunksOf).
func wholeMsg(s *session, i int, sid, ssn uint16) *wire.Data {
	return chunksOf(s, i, sid, ssn, attackSize, attackSize)[0]
}

// chunks makes a packet's chunk list of DATA chunks and others.
func chunks(cs ...any) []chunk {
	var out []chunk
	for _, c := range cs {
		switch c := c.(type) {
		case []*wire.Data:
			for _, d := range c {
				out = append(out, d)
			}
		case chunk:
			out = append(out, c)
		default:
			panic("not a chunk")
		}
	}
	return out
}

// sendNow sends a packet and waits until the endpoint has processed it.
func (r *rig) sendNow(vtag uint32, cs ...chunk) {
	r.t.Helper()
	r.peer.send(vtag, cs...)
	synctest.Wait()
}

// pinned returns the bytes of packet buffers a holds for received chunks,
// once the releases its readers gathered are done (recvQueue.rel, which
// the association's loop does when it idles) for RecvMsg's queue and qs.
func pinned(a *Association, qs ...*recvQueue) int64 {
	a.recvq.trim()
	for _, q := range qs {
		q.trim()
	}
	return a.pins.held.Load()
}

// readChecker reads messages and checks that each is one the test sent
// (its PPID names it), whole and byte for byte, and that none comes twice.
type readChecker struct {
	t    *testing.T
	buf  int // bytes per RecvMsg: messages larger arrive in pieces
	seen map[uint32]bool
}

func newReadChecker(t *testing.T, buf int) *readChecker {
	return &readChecker{t: t, buf: buf, seen: map[uint32]bool{}}
}

// read reads n messages from a and checks them.
func (c *readChecker) read(a *Association, n int) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	b := make([]byte, c.buf)
	for range n {
		var msg []byte
		for {
			k, info, err := a.RecvMsg(ctx, b)
			require.NoError(c.t, err, "after %d messages", len(c.seen))
			msg = append(msg, b[:k]...)
			if info.EOR {
				c.check(info.PPID, msg)
				break
			}
		}
	}
}

// check checks message i.
func (c *readChecker) check(i uint32, msg []byte) {
	c.t.Helper()
	require.False(c.t, c.seen[i], "message %d delivered twice", i)
	c.seen[i] = true
	if !bytes.Equal(msg, payload(int(i), len(msg))) || len(msg) != attackSize {
		c.t.Fatalf("message %d (%d bytes) is not what was sent: %x", i, len(msg), msg[:min(len(msg), 32)])
	}
}

// got fails unless exactly the messages want were read.
func (c *readChecker) got(want ...uint32) {
	c.t.Helper()
	wanted := map[uint32]bool{}
	for _, i := range want {
		wanted[i] = true
	}
	assert.Equal(c.t, wanted, c.seen, "messages read")
}

// nothingReady fails if a message waits to be read.
func nothingReady(t *testing.T, a *Association) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, info, err := a.RecvMsg(ctx, make([]byte, 16))
	require.Error(t, err, "a message is ready: PPID %d", info.PPID)
}

// TestAttackKeptThenBadChunk: a packet starts with valid DATA chunks,
// which the association keeps in the packet's buffer (a message
// delivered, the first fragment of another, a message waiting for an
// earlier one of its stream), and goes on with a chunk that is broken or
// unknown, then more DATA. The chunks before are kept and counted once,
// whatever the rest of the packet does; those after are processed or not
// as RFC 9260 section 3.2 says; once the peer fills the gaps, or the
// association ends, every message is read once, intact, and every buffer
// is given back.
func TestAttackKeptThenBadChunk(t *testing.T) {
	cases := []struct {
		name string
		bad  chunk
		// after: the DATA behind the bad chunk is processed; ends: the
		// association aborts.
		after, ends bool
		malformed   uint64
		unknown     uint64
		reply       []wire.ChunkType // what the packet gets at once
	}{
		{name: "unknown, stop", bad: &wire.Raw{Type: 0x3e, Value: []byte("x")}, unknown: 1, reply: []wire.ChunkType{wire.TypeSack}},
		{name: "unknown, stop and report", bad: &wire.Raw{Type: 0x7e, Value: []byte("x")}, unknown: 1, reply: []wire.ChunkType{wire.TypeError, wire.TypeSack}},
		{name: "unknown, skip", bad: &wire.Raw{Type: 0xbe, Value: []byte("x")}, after: true, unknown: 1, reply: []wire.ChunkType{wire.TypeSack}},
		{name: "unknown, skip and report", bad: &wire.Raw{Type: 0xfe, Value: []byte("x")}, after: true, unknown: 1, reply: []wire.ChunkType{wire.TypeError, wire.TypeSack}},
		{name: "length beyond the packet", bad: rawChunk{0, 3, 0x04, 0x00, 0, 0, 0, 9}, malformed: 1, reply: []wire.ChunkType{wire.TypeSack}},
		{name: "length below a header", bad: rawChunk{0, 3, 0, 2}, malformed: 1, reply: []wire.ChunkType{wire.TypeSack}},
		{name: "DATA header cut short", bad: rawChunk{0, 3, 0, 8, 0, 0, 0, 0}, malformed: 1, reply: []wire.ChunkType{wire.TypeSack}},
		{name: "I-DATA not negotiated", bad: &wire.IData{Flags: whole, TSN: 1, Payload: []byte("x")}, malformed: 1, reply: []wire.ChunkType{wire.TypeSack}},
		{name: "DATA without user data", bad: rawChunk{0, 3, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ends: true, reply: []wire.ChunkType{wire.TypeAbort}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				before := a.Stats()
				m0 := wholeMsg(s, 0, 0, 0)           // delivered
				m1 := chunksOf(s, 1, 1, 0, 300, 200) // its first fragment waits for the last
				m2 := wholeMsg(s, 2, 2, 1)           // waits for SSN 0 of stream 2
				m3 := wholeMsg(s, 3, 3, 0)           // behind the bad chunk
				m4 := wholeMsg(s, 4, 2, 0)           // fills stream 2's gap
				if bad, ok := tc.bad.(*wire.IData); ok {
					bad.TSN = m3.TSN // would be new
				}
				r.sendNow(s.epTag, chunks(m0, m1[0], m2, tc.bad, m3)...)
				pk := r.peer.expect(s.tag, tc.reply...)
				if sk := pk.find(wire.TypeSack); sk != nil {
					want := m2.TSN
					if tc.after {
						want = m3.TSN
					}
					var sack wire.Sack
					require.NoError(t, sack.Decode(sk))
					assert.Equal(t, m1[0].TSN, sack.CumTSN, "cumulative TSN")
					require.Len(t, sack.Gaps, 1)
					assert.Equal(t, want, sack.CumTSN+uint32(sack.Gaps[0].End), "highest TSN acknowledged")
				}
				st := a.Stats()
				assert.EqualValues(t, 3+b2u(tc.after), st.ChunksKept-before.ChunksKept, "chunks kept")
				assert.Equal(t, tc.malformed, st.MalformedChunks-before.MalformedChunks, "malformed chunks")
				assert.Equal(t, tc.unknown, st.UnknownChunks-before.UnknownChunks, "unknown chunks")
				assert.Positive(t, pinned(a), "buffer held for the unread chunks")

				rc := newReadChecker(t, 64) // messages in pieces
				rc.read(a, 1+b2u(tc.after))
				if tc.ends {
					waitDone(t, a)
					rc.got(0)
					_, _, err := a.RecvMsg(context.Background(), make([]byte, 1))
					assert.Error(t, err, "after the last message of an aborted association")
					assert.Zero(t, pinned(a), "buffers held after the abort and every message read")
					return
				}
				nothingReady(t, a)
				// Again, and the rest: m3 is new or a duplicate, the
				// gaps are filled.
				r.sendNow(s.epTag, chunks(m3, m1[1:], m4)...)
				rc.read(a, 4-b2u(tc.after))
				rc.got(0, 1, 2, 3, 4)
				nothingReady(t, a)
				assert.Zero(t, pinned(a), "buffers held after every message was read")
				assert.EqualValues(t, 5, a.Stats().MessagesReceived-before.MessagesReceived)
				require.NoError(t, a.Abort("done"))
				assert.Zero(t, pinned(a))
			})
		})
	}
}

// b2u is 1 for true, 0 for false.
func b2u(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAttackEndWithUnreadChunks: the association ends, or the peer
// restarts it, while it holds kept chunks in every state: messages
// delivered and not read, a first fragment whose last never comes, a
// message waiting for an earlier one that never comes, and the chunks of
// the packet that ends it. The buffers of what can no longer be read are
// given back at once; the messages delivered can still be read, intact,
// and then nothing is held.
func TestAttackEndWithUnreadChunks(t *testing.T) {
	cases := []struct {
		name string
		end  func(r *rig, a *Association, s *session) // ends it, or restarts it (then returns the new session)
		// restart: the association lives on with a new session.
		restart bool
	}{
		{name: "peer ABORT", end: func(r *rig, a *Association, s *session) { r.sendNow(s.epTag, &wire.Abort{}) }},
		{name: "ABORT behind DATA", end: func(r *rig, a *Association, s *session) {
			r.sendNow(s.epTag, chunks(chunksOf(s, 9, 3, 0, attackSize, 200)[0], &wire.Abort{})...)
		}},
		{name: "Abort", end: func(r *rig, a *Association, s *session) { require.NoError(r.t, a.Abort("bye")) }},
		{name: "peer restart", restart: true, end: func(r *rig, a *Association, s *session) {
			*s = *r.restart(peerTag+1, 5000)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				m1 := chunksOf(s, 1, 1, 0, attackSize, 200)
				r.sendNow(s.epTag, chunks(wholeMsg(s, 0, 0, 0), m1[0])...)
				first := pinned(a)
				s.tsn++ // m1[1], never sent
				r.sendNow(s.epTag, wholeMsg(s, 2, 2, 1))
				second := pinned(a) - first
				r.sendNow(s.epTag, wholeMsg(s, 3, 0, 1))
				discardQueued(r.peer)
				delivered := pinned(a) - second // the packets of messages 0 and 3
				require.Positive(t, first)
				require.Positive(t, second)
				require.Greater(t, delivered, first)
				require.EqualValues(t, 4, a.Stats().ChunksKept)

				tc.end(r, a, s)
				if !tc.restart {
					waitDone(t, a)
				}
				assert.Equal(t, delivered, pinned(a), "held after the end: the buffer of the messages delivered")
				rc := newReadChecker(t, 100)
				rc.read(a, 2)
				rc.got(0, 3)
				if tc.restart {
					nothingReady(t, a)
					r.expectData(s) // the new session works
					assert.Equal(t, "still there?", mustRecv(t, a))
				} else {
					_, _, err := a.RecvMsg(context.Background(), make([]byte, 1))
					require.Error(t, err)
				}
				assert.Zero(t, pinned(a), "held once every message was read")
			})
		})
	}
}

// mustRecv reads one message.
func mustRecv(t *testing.T, a *Association) string {
	t.Helper()
	m, err := recvString(t, a)
	require.NoError(t, err)
	return m
}

// TestAttackPinLimit: a peer sends packets padded to hold a buffer each
// for a small chunk, with gaps it never fills, duplicates, chunks far
// beyond the window, chunks on a stream the application opened and does
// not read, and chunks on streams that do not exist. The association
// never holds more buffers than its limit, keeps no chunk it drops, still
// takes the chunks beyond the limit (copied), and once the gaps are
// filled and everything read, holds nothing.
func TestAttackPinLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.RecvBuffer = 16 << 10 // room for 38 chunks, buffers of 21 packets
		limit := pinLimit(cfg.RecvBuffer)
		r := newRig(t, cfg)
		a, s := r.connect()
		unread, err := a.Stream(3, 0)
		require.NoError(t, err)
		pad := &wire.Raw{Type: wire.TypePad, Value: make([]byte, 1200)}
		gap := wholeMsg(s, 0, 0, 0) // SSN 0 of stream 0, held back
		var held []*wire.Data
		maxPinned := int64(0)
		check := func(what string) {
			t.Helper()
			p := a.pins.held.Load()
			require.LessOrEqual(t, p, limit, "after %s", what)
			maxPinned = max(maxPinned, p)
			discardQueued(r.peer)
		}
		const msgs = 30
		for i := range msgs {
			// Stream 0 from SSN 1 on, stream 3 from SSN 0.
			d := wholeMsg(s, i+1, uint16(i%2)*3, uint16(i/2+b2u(i%2 == 0)))
			held = append(held, d)
			r.sendNow(s.epTag, pad, d)
			check("new data")
			r.sendNow(s.epTag, pad, d) // a duplicate
			check("a duplicate")
			far := *d
			far.TSN += 1<<30 + 1
			r.sendNow(s.epTag, pad, &far)
			check("far beyond the window")
			bad := *d
			bad.TSN, bad.Stream = s.tsn, peerStreams
			s.tsn++
			r.sendNow(s.epTag, pad, &bad)
			check("an invalid stream")
		}
		st := a.Stats()
		t.Logf("kept %d chunks, %d bytes held at most; %d duplicates, %d dropped", st.ChunksKept, maxPinned, st.DuplicateTSNs, st.DataDropped)
		assert.Greater(t, maxPinned, limit-2048, "the limit was reached")
		assert.Less(t, st.ChunksKept, uint64(msgs), "chunks beyond the limit were copied")
		assert.EqualValues(t, msgs, st.DuplicateTSNs)
		assert.EqualValues(t, msgs, st.DataDropped, "the chunks beyond the window")
		assert.EqualValues(t, msgs*attackSize, st.BytesReceivedUser, "every new chunk taken")

		r.sendNow(s.epTag, gap)
		discardQueued(r.peer)
		rc := newReadChecker(t, 1000)
		rc.read(a, msgs/2+1)
		buf := make([]byte, 2*attackSize)
		for i := 1; i < msgs; i += 2 {
			k, err := unread.Read(buf)
			require.NoError(t, err)
			require.Equal(t, payload(int(held[i].PPID), attackSize), buf[:k], "message %d on the stream", held[i].PPID)
		}
		assert.Zero(t, pinned(a, unread.q), "held once every message was read")
	})
}

// TestAttackDiscardedPacketKeepsNothing: DATA in a packet that is
// discarded whole, for its checksum or its verification tag, is neither
// kept nor taken: sent again intact, it is new.
func TestAttackDiscardedPacketKeepsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connect()
		d := wholeMsg(s, 0, 0, 0)
		d.Flags |= wire.FlagImmediate
		b := wire.Header{SrcPort: peerPort, DstPort: sutPort, VerificationTag: s.epTag}.Append(nil)
		b = d.Append(b)
		wire.SetChecksum(b)
		b[9] ^= 1 // the checksum field
		require.NoError(t, r.peer.conn.Send(encap.Datagram{Data: b, Remote: r.peer.dst}))
		synctest.Wait()
		r.sendNow(s.epTag^1, d)
		r.sendNow(s.tag, d) // the tag of the other direction
		r.peer.expectSilence(time.Second)
		st := a.Stats()
		assert.Zero(t, st.ChunksKept)
		assert.Zero(t, st.MessagesReceived)
		assert.Zero(t, pinned(a))
		assert.EqualValues(t, 1, r.ep.Stats().BadChecksum)

		r.sendNow(s.epTag, d)
		sk := chunkOf[wire.Sack](t, r.peer.expect(s.tag, wire.TypeSack))
		assert.Equal(t, d.TSN, sk.CumTSN)
		assert.Empty(t, sk.Dups, "the DATA was new")
		rc := newReadChecker(t, 1000)
		rc.read(a, 1)
		assert.Zero(t, pinned(a))
	})
}

// TestAttackSharedBuffer: the chunks of one packet are read in any order,
// in pieces, from RecvMsg and from a Stream, while later packets come
// into buffers the transport gets back: each message is read intact, the
// packet's buffer is held until its last chunk is read, and given back
// then. Chunks kept from one packet also go into messages assembled from
// several packets, and come out of reassembly while others of the packet
// wait there.
func TestAttackSharedBuffer(t *testing.T) {
	for _, streamFirst := range []bool{false, true} {
		name := map[bool]string{false: "stream last", true: "stream first"}[streamFirst]
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newRig(t, scriptedConfig())
				a, s := r.connect()
				st, err := a.Stream(1, 0)
				require.NoError(t, err)
				cs, err := a.Stream(3, 0) // for traffic between the reads
				require.NoError(t, err)
				m3 := chunksOf(s, 3, 0, 1, attackSize, 120) // across two packets
				p1 := chunks(
					wholeMsg(s, 0, 0, 0),
					wholeMsg(s, 1, 1, 0),                  // for the Stream
					chunksOf(s, 2, 2, 0, attackSize, 100), // assembled within the packet
					m3[:2],
				)
				r.sendNow(s.epTag, p1...)
				first := pinned(a, st.q)
				require.Positive(t, first)
				r.sendNow(s.epTag, chunks(m3[2], wholeMsg(s, 4, 0, 2))...)
				discardQueued(r.peer)
				require.EqualValues(t, 2+3+3+1, a.Stats().ChunksKept)

				// Traffic through buffers given back, between the reads.
				ssn := uint16(0) // stream 3's next
				churn := func() {
					r.sendNow(s.epTag, wholeMsg(s, 100, 3, ssn), wholeMsg(s, 101, 3, ssn+1))
					ssn += 2
					discardQueued(r.peer)
					buf := make([]byte, attackSize+1)
					for i := range 2 {
						k, err := cs.Read(buf)
						require.NoError(t, err)
						require.Equal(t, payload(100+i, attackSize), buf[:k])
					}
				}
				readStream := func() {
					buf := make([]byte, 7)
					var got []byte
					for len(got) < attackSize {
						k, err := st.Read(buf)
						require.NoError(t, err)
						got = append(got, buf[:k]...)
						churn()
					}
					require.Equal(t, payload(1, attackSize), got, "message 1, from the Stream")
				}
				if streamFirst {
					readStream()
					assert.GreaterOrEqual(t, pinned(a, st.q), first, "messages of the first packet unread")
				}
				rc := newReadChecker(t, 7)
				for range 4 {
					rc.read(a, 1)
					churn()
				}
				rc.got(0, 2, 3, 4)
				if !streamFirst {
					assert.GreaterOrEqual(t, pinned(a, st.q), first, "message 1 unread")
					readStream()
				}
				nothingReady(t, a)
				assert.Zero(t, pinned(a, st.q, cs.q), "held once every message was read")
			})
		})
	}
}

// TestAttackKeptAroundAuth: chunks kept ahead of an AUTH chunk that fails
// stay, those after it are discarded (RFC 4895 section 6.3), and DATA that
// had to be authenticated and was not is dropped without being kept; a
// message assembled from chunks on both sides of an AUTH is not
// authenticated. Everything is read once, intact, and nothing stays held.
func TestAttackKeptAroundAuth(t *testing.T) {
	recvAuth := func(t *testing.T, a *Association) (uint32, bool) {
		t.Helper()
		buf := make([]byte, 2*attackSize)
		k, info, err := a.RecvMsg(t.Context(), buf)
		require.NoError(t, err)
		require.True(t, info.EOR)
		require.Equal(t, payload(int(info.PPID), attackSize), buf[:k], "message %d", info.PPID)
		return info.PPID, info.Authenticated
	}
	t.Run("DATA needs no AUTH", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := newAuthRig(t, authConfig())
			a, s := r.connectAuth()
			m0 := wholeMsg(s.session, 0, 0, 0)
			m1 := chunksOf(s.session, 1, 1, 0, attackSize, 200)
			m2 := wholeMsg(s.session, 2, 2, 0)
			b := s.seal(t, s.epTag, chunks(m0, m1[0], authHere, m2)...)
			b[authAt(t, b)+wire.AuthHMACOffset] ^= 0x80
			r.sendRaw(addrB, addrA, b)
			synctest.Wait()
			st := a.Stats()
			assert.EqualValues(t, 1, st.AuthFailures)
			assert.EqualValues(t, 2, st.ChunksKept, "the chunks ahead of the AUTH")
			id, authed := recvAuth(t, a)
			assert.Equal(t, uint32(0), id)
			assert.False(t, authed)
			nothingReady(t, a)

			r.sendSigned(s, chunks(m1[1], m2)...)
			synctest.Wait()
			got := map[uint32]bool{}
			for range 2 {
				id, authed := recvAuth(t, a)
				got[id] = authed
			}
			assert.Equal(t, map[uint32]bool{1: false, 2: true}, got, "messages read, authenticated")
			nothingReady(t, a)
			assert.Zero(t, pinned(a))
		})
	})
	t.Run("DATA needs AUTH", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			cfg := scriptedConfig()
			cfg.AuthChunks = []wire.ChunkType{wire.TypeData}
			r := newAuthRig(t, cfg)
			a, s := r.connectAuth()
			m0 := wholeMsg(s.session, 0, 0, 0)
			m1 := chunksOf(s.session, 1, 1, 0, attackSize, 200)
			m2 := wholeMsg(s.session, 2, 2, 0)
			r.sendRaw(addrB, addrA, s.seal(t, s.epTag, chunks(m0, authHere, m1[0], m2)...))
			synctest.Wait()
			st := a.Stats()
			assert.EqualValues(t, 1, st.Unauthenticated)
			assert.EqualValues(t, 2, st.ChunksKept, "the chunks after the AUTH")
			held := pinned(a)
			id, authed := recvAuth(t, a)
			assert.Equal(t, uint32(2), id)
			assert.True(t, authed)
			assert.Equal(t, held, pinned(a), "the first fragment in the same buffer")

			b := s.seal(t, s.epTag, chunks(authHere, m1[1], m0)...)
			b[authAt(t, b)+wire.AuthHMACOffset] ^= 0x80
			r.sendRaw(addrB, addrA, b)
			synctest.Wait()
			nothingReady(t, a)
			assert.EqualValues(t, 2, a.Stats().ChunksKept)
			r.sendNow(s.epTag, &wire.Abort{})
			waitDone(t, a)
			assert.Zero(t, pinned(a), "held once the association ended")
		})
	})
}

// connectWith sets up an association from a peer that supports the
// extensions exts.
func (r *rig) connectWith(exts ...wire.ChunkType) (*Association, *session) {
	r.t.Helper()
	init := peerInit(peerTag, peerTSN)
	init.Params = wire.AppendParam(nil, &wire.SupportedExtensionsParam{Types: exts})
	s := r.handshake(init)
	return r.accept(), s
}

// TestAttackForwardTSNDropsKept: a FORWARD-TSN abandons a fragment kept
// earlier in its own packet, and a later packet sends its last fragment:
// the messages around it are read intact, the abandoned one never, and
// nothing stays held.
func TestAttackForwardTSNDropsKept(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connectWith(wire.TypeForwardTSN)
		m0 := wholeMsg(s, 0, 0, 0)
		m1 := chunksOf(s, 1, 1, 0, attackSize, 200)
		m2 := wholeMsg(s, 2, 1, 1)
		fwd := &wire.ForwardTSN{NewCumTSN: m1[1].TSN, Streams: []wire.StreamSSN{{Stream: 1, SSN: 0}}}
		r.sendNow(s.epTag, chunks(m0, m1[0], fwd, m2)...)
		r.sendNow(s.epTag, m1[1]) // too late
		discardQueued(r.peer)
		st := a.Stats()
		assert.EqualValues(t, 3, st.ChunksKept)
		assert.EqualValues(t, 1, st.DuplicateTSNs)
		rc := newReadChecker(t, 1000)
		rc.read(a, 2)
		rc.got(0, 2)
		nothingReady(t, a)
		assert.Zero(t, pinned(a))
	})
}

// TestAttackIDataRestart: I-DATA fragments of several messages interleave
// in one packet; one message completes, copied out of the packet's
// buffer, another stays incomplete, a third waits for an earlier one;
// then the peer restarts. The buffer goes back at the restart, and the
// complete message is read intact after it.
func TestAttackIDataRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, s := r.connectWith(wire.TypeIData, wire.TypeIForwardTSN)
		require.True(t, a.Stats().IData)
		m0, m1, m2 := payload(0, attackSize), payload(1, attackSize), payload(2, attackSize)
		idata := func(sid uint16, mid, fsn uint32, flags wire.DataFlags, ppid uint32, p []byte) *wire.IData {
			d := &wire.IData{Flags: flags, TSN: s.tsn, Stream: sid, MID: mid, FSN: fsn, PPID: ppid, Payload: p}
			s.tsn++
			return d
		}
		r.sendNow(s.epTag,
			idata(0, 0, 0, wire.FlagBegin, 0, m0[:100]),
			idata(1, 0, 0, wire.FlagBegin, 1, m1[:100]),
			idata(0, 0, 1, 0, 0, m0[100:200]),
			idata(2, 1, 0, whole, 2, m2), // MID 0 of stream 2 never comes
			idata(0, 0, 2, wire.FlagEnd, 0, m0[200:]),
		)
		discardQueued(r.peer)
		require.EqualValues(t, 5, a.Stats().ChunksKept)
		require.Positive(t, pinned(a), "held for the message incomplete and the one waiting")

		*s = *r.restart(peerTag+1, 5000)
		assert.Zero(t, pinned(a), "held after the restart: message 0 was copied out")
		rc := newReadChecker(t, 64)
		rc.read(a, 1)
		rc.got(0)
		nothingReady(t, a)
		r.expectData(s)
		assert.Equal(t, "still there?", mustRecv(t, a))
		assert.Zero(t, pinned(a))
	})
}
