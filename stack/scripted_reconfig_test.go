package stack

// Stream reset (RFC 6525) against a scripted peer: the peer's Outgoing SSN
// Reset Requests and our answers, and the request Stream.Close sends.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// reconfigRig connects a scripted peer that offers RE-CONFIG.
func reconfigRig(t *testing.T) (*rig, *Association, *session) {
	r := newRig(t, scriptedConfig())
	init := peerInit(peerTag, peerTSN)
	init.Params = wire.AppendParam(nil, &wire.SupportedExtensionsParam{Types: []wire.ChunkType{wire.TypeReconfig}})
	s := r.handshake(init)
	return r, r.accept(), s
}

// reconfigParam returns the single parameter of the RE-CONFIG chunk in pk.
func reconfigParam(t *testing.T, pk packet) wire.Param {
	t.Helper()
	rc := chunkOf[wire.Reconfig](t, pk)
	it := rc.Params.Iter()
	p, ok := it.Next()
	if !ok {
		t.Fatal("RE-CONFIG without a parameter")
	}
	return p
}

// expectResponse waits for our answer to request seq and checks its result.
func expectResponse(t *testing.T, r *rig, s *session, seq uint32, want wire.ReconfigResult) {
	t.Helper()
	checkResponse(t, r.peer.await(s.tag, wire.TypeReconfig), seq, want)
}

// checkResponse checks that pk answers request seq with want.
func checkResponse(t *testing.T, pk packet, seq uint32, want wire.ReconfigResult) {
	t.Helper()
	var resp wire.ReconfigResponseParam
	if err := resp.Decode(reconfigParam(t, pk)); err != nil {
		t.Fatal(err)
	}
	if resp.RespSeq != seq || resp.Result != want {
		t.Errorf("response to %d: %d %v, want %v", seq, resp.RespSeq, resp.Result, want)
	}
}

// The peer resets a stream: while data before its last TSN is missing the
// answer is In progress; then Performed, the open Stream reads what came
// and io.EOF; a retransmitted request gets the same answer, a wrong
// sequence number an error, and other requests are denied.
func TestScriptedPeerResetsStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s := reconfigRig(t)
		st, err := a.Stream(1, 42)
		if err != nil {
			t.Fatal(err)
		}
		reset := &wire.OutgoingSSNResetParam{ReqSeq: peerTSN, RespSeq: s.epTSN - 1, LastTSN: s.tsn, Streams: []uint16{1}}
		request := &wire.Reconfig{Params: wire.AppendParam(nil, reset)}
		r.peer.send(s.epTag, request)
		expectResponse(t, r, s, peerTSN, wire.ResultInProgress)

		r.peer.send(s.epTag, s.data(1, "last words", wire.FlagImmediate))
		r.peer.await(s.tag, wire.TypeSack)
		r.peer.send(s.epTag, request)
		expectResponse(t, r, s, peerTSN, wire.ResultSuccessPerformed)
		buf := make([]byte, 100)
		if n, err := st.Read(buf); err != nil || string(buf[:n]) != "last words" {
			t.Errorf("read %q, %v", buf[:n], err)
		}
		if _, err := st.Read(buf); err != io.EOF {
			t.Errorf("read after the reset: %v, want io.EOF", err)
		}

		r.peer.send(s.epTag, request) // lost answer: asked again
		expectResponse(t, r, s, peerTSN, wire.ResultSuccessPerformed)
		reset.ReqSeq = peerTSN + 5
		r.peer.send(s.epTag, &wire.Reconfig{Params: wire.AppendParam(nil, reset)})
		expectResponse(t, r, s, peerTSN+5, wire.ResultErrorBadSequence)
		r.peer.send(s.epTag, &wire.Reconfig{Params: wire.AppendParam(nil, &wire.SSNTSNResetParam{ReqSeq: peerTSN + 1})})
		expectResponse(t, r, s, peerTSN+1, wire.ResultDenied)

		// The stream starts again at SSN 0 and its messages go to RecvMsg.
		s.ssn[1] = 0
		r.peer.send(s.epTag, s.data(1, "again", wire.FlagImmediate))
		if got, err := recvString(t, a); err != nil || got != "again" {
			t.Errorf("after the reset: %q, %v", got, err)
		}
	})
}

// Stream.Close asks the peer to reset the stream after its last DATA,
// sends the request again until answered, and after Performed the stream
// starts again at SSN 0.
func TestScriptedCloseResetsStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s := reconfigRig(t)
		st, err := a.Stream(2, 42)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Write([]byte("bye")); err != nil {
			t.Fatal(err)
		}
		d := chunkOf[wire.Data](t, r.peer.await(s.tag, wire.TypeData))
		st.Close()
		var req wire.OutgoingSSNResetParam
		if err := req.Decode(reconfigParam(t, r.peer.await(s.tag, wire.TypeReconfig))); err != nil {
			t.Fatal(err)
		}
		if req.ReqSeq != s.epTSN || req.RespSeq != peerTSN-1 || req.LastTSN != d.TSN || len(req.Streams) != 1 || req.Streams[0] != 2 {
			t.Errorf("request %+v, want sequence %d, response sequence %d, last TSN %d, stream 2", req, s.epTSN, peerTSN-1, d.TSN)
		}
		r.peer.send(s.epTag, &wire.Sack{CumTSN: d.TSN, ARwnd: peerRwnd})
		start := time.Now()
		var again wire.OutgoingSSNResetParam
		if err := again.Decode(reconfigParam(t, r.peer.await(s.tag, wire.TypeReconfig))); err != nil || again.ReqSeq != req.ReqSeq {
			t.Errorf("retransmission %+v, %v", again, err)
		}
		if took := time.Since(start); took < time.Second {
			t.Errorf("request sent again after %v, before the RTO", took)
		}
		r.peer.send(s.epTag, &wire.Reconfig{Params: wire.AppendParam(nil, &wire.ReconfigResponseParam{RespSeq: req.ReqSeq, Result: wire.ResultSuccessPerformed})})

		if err := a.SendMsg(t.Context(), []byte("new"), SendInfo{Stream: 2}); err != nil {
			t.Fatal(err)
		}
		if d := chunkOf[wire.Data](t, r.peer.await(s.tag, wire.TypeData)); d.Stream != 2 || d.SSN != 0 {
			t.Errorf("DATA after the reset on stream %d SSN %d, want stream 2 SSN 0", d.Stream, d.SSN)
		}
	})
}

// Without RE-CONFIG at the peer, Close stays local: nothing goes out.
func TestScriptedCloseWithoutReconfig(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newRig(t, scriptedConfig())
		a, _ := r.connect()
		st, err := a.Stream(2, 42)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		for _, pk := range r.peer.collect(5 * time.Second) {
			if pk.find(wire.TypeReconfig) != nil {
				t.Errorf("RE-CONFIG sent to a peer without it: %v", pk)
			}
		}
	})
}

// Messages that waited for RecvMsg before the first AcceptStream go to
// the streams it returns, in order; later messages on the same stream too.
func TestScriptedAcceptStreamTakesWaiting(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s := reconfigRig(t)
		r.peer.send(s.epTag, s.data(3, "one", wire.FlagImmediate), s.data(2, "two", 0), s.data(3, "three", 0))
		r.peer.await(s.tag, wire.TypeSack)
		synctest.Wait()
		var got []string
		for range 2 {
			st, err := a.AcceptStream(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 10)
			for {
				st.SetReadDeadline(time.Now().Add(time.Second))
				n, err := st.Read(buf)
				if err != nil {
					break
				}
				got = append(got, fmt.Sprintf("%d:%s", st.id, buf[:n]))
			}
		}
		if want := []string{"3:one", "3:three", "2:two"}; !slices.Equal(got, want) {
			t.Errorf("accepted %v, want %v", got, want)
		}
	})
}

// A peer that never answers our reset request is unreachable like one that
// never acknowledges data: the timeouts count against the association.
func TestScriptedResetUnanswered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.AssocMaxRetrans = 2
		r := newRig(t, cfg)
		init := peerInit(peerTag, peerTSN)
		init.Params = wire.AppendParam(nil, &wire.SupportedExtensionsParam{Types: []wire.ChunkType{wire.TypeReconfig}})
		s := r.handshake(init)
		a := r.accept()
		st, err := a.Stream(1, 0)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		for range 3 {
			r.peer.await(s.tag, wire.TypeReconfig)
		}
		if err := waitDone(t, a); !errors.Is(err, ErrCommunicationLost) {
			t.Errorf("association ended with %v, want ErrCommunicationLost", err)
		}
	})
}

// The peer adds streams it sends on (section 5.2.5), as far as
// MaxInStreams allows; DATA on a new stream is then delivered.
func TestScriptedPeerAddsStreams(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := scriptedConfig()
		cfg.MaxInStreams = 8
		r := newRig(t, cfg)
		init := peerInit(peerTag, peerTSN) // peerStreams (4) each way
		init.Params = wire.AppendParam(nil, &wire.SupportedExtensionsParam{Types: []wire.ChunkType{wire.TypeReconfig}})
		s := r.handshake(init)
		a := r.accept()

		add := func(seq uint32, n uint16) *wire.Reconfig {
			return &wire.Reconfig{Params: wire.AppendParam(nil, &wire.AddStreamsParam{Type: wire.ParamAddOutgoingStreams, ReqSeq: seq, NewStreams: n})}
		}
		r.peer.send(s.epTag, add(peerTSN, 4))
		expectResponse(t, r, s, peerTSN, wire.ResultSuccessPerformed)
		if _, in := a.Streams(); in != 8 {
			t.Errorf("%d inbound streams after adding 4 to 4, want 8", in)
		}
		r.peer.send(s.epTag, s.data(7, "on a new stream", wire.FlagImmediate))
		r.peer.await(s.tag, wire.TypeSack) // no ERROR: the stream exists
		if got, err := recvString(t, a); err != nil || got != "on a new stream" {
			t.Errorf("received %q, %v", got, err)
		}
		r.peer.send(s.epTag, add(peerTSN+1, 1))
		expectResponse(t, r, s, peerTSN+1, wire.ResultDenied)
	})
}

// The peer's message on a new stream and its reset of the stream both
// arrive before the first AcceptStream (pion/sctp answered
// TestPionStreamReset faster than the test called AcceptStream, which
// then hung): the stream accepted reads the message and io.EOF, and a
// message after the reset comes in a stream of its own.
func TestScriptedResetBeforeAcceptStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s := reconfigRig(t)
		sendThenReset(t, r, s, 2, "3 messages")
		s.ssn[2] = 0
		r.peer.send(s.epTag, s.data(2, "again", wire.FlagImmediate))
		r.peer.await(s.tag, wire.TypeSack)
		synctest.Wait()
		if got, err := readStream(acceptNow(t, a)); got != "3 messages" || err != io.EOF {
			t.Errorf("read %q, %v; want \"3 messages\" and io.EOF", got, err)
		}
		if got, err := readStream(acceptNow(t, a)); got != "again" || !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("after the reset: read %q, %v; want \"again\" and no end", got, err)
		}
	})
}

// A reset bundled with the stream's last message ends the stream after
// that message, whether AcceptStream waits for the stream or Stream
// opened it.
func TestScriptedResetBundledWithData(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(*testing.T, *Association) func() *Stream // before the packet; its result after
	}{
		{"AcceptStream waiting", func(t *testing.T, a *Association) func() *Stream {
			got := make(chan *Stream, 1)
			go func() { got <- acceptNow(t, a) }()
			synctest.Wait() // AcceptStream is on
			return func() *Stream { return <-got }
		}},
		{"Stream open", func(t *testing.T, a *Association) func() *Stream {
			st, err := a.Stream(2, 42)
			if err != nil {
				t.Fatal(err)
			}
			return func() *Stream { return st }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r, a, s := reconfigRig(t)
				opened := tc.open(t, a)
				d := s.data(2, "3 messages", wire.FlagImmediate)
				r.peer.send(s.epTag, d, resetOf(s, d.TSN, 2))
				checkResponse(t, r.peer.await(s.tag, wire.TypeReconfig, wire.TypeSack), peerTSN, wire.ResultSuccessPerformed)
				if got, err := readStream(opened()); got != "3 messages" || err != io.EOF {
					t.Errorf("read %q, %v; want \"3 messages\" and io.EOF", got, err)
				}
			})
		})
	}
}

// resetOf is the peer's first request to reset stream sid after lastTSN.
// sendThenReset has the peer send text on stream sid, then reset the
// stream after it, and checks that the reset was performed.
func sendThenReset(t *testing.T, r *rig, s *session, sid uint16, text string) {
	t.Helper()
	d := s.data(sid, text, wire.FlagImmediate)
	r.peer.send(s.epTag, d)
	r.peer.await(s.tag, wire.TypeSack)
	r.peer.send(s.epTag, resetOf(s, d.TSN, sid))
	expectResponse(t, r, s, peerTSN, wire.ResultSuccessPerformed)
}

func resetOf(s *session, lastTSN uint32, sid uint16) *wire.Reconfig {
	return &wire.Reconfig{Params: wire.AppendParam(nil, &wire.OutgoingSSNResetParam{ReqSeq: peerTSN, RespSeq: s.epTSN - 1, LastTSN: lastTSN, Streams: []uint16{sid}})}
}

// acceptNow returns the next stream AcceptStream gives, failing the test
// if none comes within a second.
func acceptNow(t *testing.T, a *Association) *Stream {
	ctx, cancel := context.WithTimeout(t.Context(), time.Second)
	defer cancel()
	st, err := a.AcceptStream(ctx)
	if err != nil {
		t.Errorf("AcceptStream: %v", err)
		return nil
	}
	return st
}

// readStream reads st until an error, or until nothing comes for a
// second: a reader that would wait forever gets a timeout instead.
func readStream(st *Stream) (string, error) {
	if st == nil {
		return "", errors.New("no stream")
	}
	var got []byte
	buf := make([]byte, 100)
	for {
		st.SetReadDeadline(time.Now().Add(time.Second))
		n, err := st.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			return string(got), err
		}
	}
}

// A stream opened after the peer reset it takes its messages up to the
// reset; closed with them unread, it gives them back to RecvMsg.
func TestScriptedClosedResetStreamGivesBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r, a, s := reconfigRig(t)
		sendThenReset(t, r, s, 2, "before the reset")
		synctest.Wait()
		st, err := a.Stream(2, 0)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		buf := make([]byte, 100)
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		n, info, err := a.RecvMsg(ctx, buf)
		if err != nil || string(buf[:n]) != "before the reset" || info.Stream != 2 {
			t.Errorf("RecvMsg after the close: %q on stream %d, %v; want the unread message", buf[:n], info.Stream, err)
		}
	})
}
