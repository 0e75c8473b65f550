package addip

import (
	"testing"

	"github.com/mobisctp/mobisctp/stack/wire"
)

func TestAdaptationLayer(t *testing.T) {
	withOther := wire.AppendParam(nil, &wire.ForwardTSNSupportedParam{})
	cases := []struct {
		name string
		ps   wire.Params
		code uint32
		ok   bool
	}{
		{"absent", withOther, 0, false},
		{"sent by AppendAdaptationLayer", AppendAdaptationLayer(withOther, 0xDEADBEEF), 0xDEADBEEF, true},
		{"first one wins", AppendAdaptationLayer(AppendAdaptationLayer(nil, 1), 2), 1, true},
		{"malformed", params(&wire.RawParam{Type: wire.ParamAdaptationLayer, Value: []byte{1, 2}}), 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if code, ok := AdaptationLayer(tc.ps); code != tc.code || ok != tc.ok {
				t.Errorf("AdaptationLayer = %#x, %v; want %#x, %v", code, ok, tc.code, tc.ok)
			}
		})
	}
}

func TestAvailable(t *testing.T) {
	both := ExtensionTypes()
	cases := []struct {
		name string
		exts []wire.ChunkType
		auth bool
		want bool
	}{
		{"both listed, authenticated", append([]wire.ChunkType{wire.TypeForwardTSN}, both...), true, true},
		{"both listed, no AUTH", both, false, false},
		{"ASCONF only", []wire.ChunkType{wire.TypeAsconf}, true, false},
		{"ASCONF-ACK only", []wire.ChunkType{wire.TypeAsconfAck}, true, false},
		{"none", nil, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Available(tc.exts, tc.auth); got != tc.want {
				t.Errorf("Available = %v, want %v", got, tc.want)
			}
		})
	}
}
