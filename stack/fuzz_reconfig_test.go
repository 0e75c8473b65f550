package stack

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// FuzzStreamReset drives the RE-CONFIG handling of a live association:
// requests and responses near the sequence numbers in use, stream lists
// and TSNs from the input, our own Stream.Close in between, and then the
// raw chunks of FuzzAssociation. The association must never panic and
// must answer only with packets that parse.
func FuzzStreamReset(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 0, 2, 1, 0, 1, 2, 2, 3, 10})
	f.Add([]byte{2, 1, 1, 0, 1, 1, 0, 0, 5, 3, 0, 0x82, 0, 8, 0, 13, 0, 8})
	f.Fuzz(func(t *testing.T, in []byte) {
		synctest.Test(t, func(t *testing.T) {
			r, a, s := reconfigRig(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var streams []*Stream
			for id := range uint16(3) {
				st, err := a.Stream(id, 0)
				if err != nil {
					t.Fatal(err)
				}
				st.Write([]byte("x"))
				streams = append(streams, st)
			}
			go drain(ctx, a)
			fz := fuzzPeer{r: r, s: s, in: in}
			for steps := 0; len(fz.in) > 0 && steps < 32; steps++ {
				switch fz.byte() % 4 {
				case 0:
					req := &wire.OutgoingSSNResetParam{ReqSeq: peerTSN + uint32(int8(fz.byte())), LastTSN: s.tsn + uint32(int8(fz.byte()))}
					for range fz.byte() % 4 {
						req.Streams = append(req.Streams, uint16(fz.byte()))
					}
					fz.add(&wire.Reconfig{Params: wire.AppendParam(nil, req)})
				case 1:
					resp := &wire.ReconfigResponseParam{RespSeq: s.epTSN + uint32(int8(fz.byte())), Result: wire.ReconfigResult(fz.byte() % 8)}
					fz.add(&wire.Reconfig{Params: wire.AppendParam(nil, resp)})
				case 2:
					streams[fz.byte()%3].Close()
				case 3:
					add := &wire.AddStreamsParam{Type: wire.ParamAddOutgoingStreams, ReqSeq: peerTSN + uint32(int8(fz.byte())), NewStreams: uint16(fz.byte()) << 8}
					fz.add(&wire.Reconfig{Params: wire.AppendParam(nil, add)})
				}
				fz.flush(s.epTag)
				time.Sleep(time.Duration(fz.byte()) * 10 * time.Millisecond)
				fz.discard()
			}
			fz.run()
			time.Sleep(time.Minute) // let every timer run
			fz.discard()
		})
	})
}
