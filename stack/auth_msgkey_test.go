package stack

import (
	"bytes"
	"context"
	"testing"
	"testing/synctest"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// TestRecvInfoKey checks that RecvMsg tells which endpoint-pair shared key
// authenticated a message: the key the sender signs with when the
// receiver asks for authenticated DATA, for a small message and for one
// in many fragments; nothing when the receiver does not ask for it.
func TestRecvInfoKey(t *testing.T) {
	secret := []byte("element key 7, sixteen bytes or more")
	data := []wire.ChunkType{wire.TypeData, wire.TypeIData}
	for _, tc := range []struct {
		name      string
		srvChunks []wire.ChunkType
		cliKey    bool // the client signs with key 7, else with key 0
		size      int
		want      RecvInfo
	}{
		{"key 7", data, true, 100, RecvInfo{Authenticated: true, KeyID: 7}},
		{"key 7, fragmented", data, true, 20000, RecvInfo{Authenticated: true, KeyID: 7}},
		{"empty key 0", data, false, 100, RecvInfo{Authenticated: true, KeyID: 0}},
		{"DATA not required to be authenticated", nil, true, 100, RecvInfo{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				n := simnet.New(1)
				t.Cleanup(n.Close)
				srv := simEndpoint(t, n.AddHost("server", addrB), Config{Port: 5000, AuthChunks: tc.srvChunks}, true)
				cli := simEndpoint(t, n.AddHost("client", addrA), Config{}, false)
				srv.SetKey(7, secret)
				if tc.cliKey {
					cli.SetKey(7, secret)
					if err := cli.ActivateKey(7); err != nil {
						t.Fatal(err)
					}
				}
				ca, sa := connect(t, cli, srv, addrB)
				msg := bytes.Repeat([]byte{0x5a}, tc.size)
				if err := ca.SendMsg(context.Background(), msg, SendInfo{PPID: 11}); err != nil {
					t.Fatal(err)
				}
				buf := make([]byte, tc.size+1)
				got, info, err := sa.RecvMsg(context.Background(), buf)
				if err != nil || got != tc.size || !info.EOR {
					t.Fatalf("RecvMsg: %d bytes, EOR %v, %v", got, info.EOR, err)
				}
				if info.Authenticated != tc.want.Authenticated || info.KeyID != tc.want.KeyID {
					t.Errorf("Authenticated %v, KeyID %d; want %v, %d", info.Authenticated, info.KeyID, tc.want.Authenticated, tc.want.KeyID)
				}
			})
		})
	}
}

// TestKeyTagJoin checks how the chunks of a message combine: the message
// is authenticated only if every chunk is, with one key.
func TestKeyTagJoin(t *testing.T) {
	k1, k2, none := keyTag{ok: true, id: 1}, keyTag{ok: true, id: 2}, keyTag{}
	for _, tc := range []struct{ a, b, want keyTag }{
		{k1, k1, k1},
		{k1, k2, none},
		{k1, none, none},
		{none, k2, none},
		{none, none, none},
	} {
		if got := tc.a.join(tc.b); got != tc.want {
			t.Errorf("%v.join(%v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
