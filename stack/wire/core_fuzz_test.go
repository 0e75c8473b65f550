package wire

import "testing"

func FuzzData(f *testing.F) {
	seedChunks(f, &Data{Flags: FlagBegin, TSN: 1, Payload: []byte("abc")})
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRoundTrip[Data](t, in) })
}

func FuzzSack(f *testing.F) {
	seedChunks(f, &Sack{CumTSN: 9, Gaps: []GapBlock{{2, 4}}, Dups: []uint32{3}})
	f.Fuzz(func(t *testing.T, in []byte) { fuzzRoundTrip[Sack](t, in) })
}

func FuzzHeartbeat(f *testing.F) {
	seedChunks(f, &Heartbeat{Info: []byte("nonce")}, &HeartbeatAck{Info: []byte{1, 2, 3, 4}})
	f.Fuzz(func(t *testing.T, in []byte) {
		fuzzRoundTrip[Heartbeat](t, in)
		fuzzRoundTrip[HeartbeatAck](t, in)
	})
}
