package registrar

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/tshark"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// TestTsharkDecodesENRPRun records a run of three registrars on the
// simulated network (synchronisation, Handle Updates, the death of one,
// the takeover with its Home keep-alives, a newcomer, hsdump's List
// Request) and has tshark decode the capture: no malformed frame, no
// expert error, good checksums, and every ENRP message type the run uses.
func TestTsharkDecodesENRPRun(t *testing.T) {
	file := filepath.Join(t.TempDir(), "enrp-run.pcapng")
	synctest.Test(t, func(t *testing.T) {
		pn := newPeerNet(t)
		stop := recordDelivered(t, pn.n, file)
		r1 := pn.start(1)
		r2 := pn.start(2, 1)
		pn.start(3, 1, 2)
		for i := range 9 {
			pn.element(i, fmt.Sprintf("pool-%d", i%2), wire.ServerID(1+i/3))
		}
		waitAgree(t, 10*time.Second, 9, []wire.ServerID{1, 2, 3}, r1, r2)
		dropHost(pn.n, registrarAddr(3))
		waitAgree(t, time.Minute, 9, []wire.ServerID{1, 2}, r1, r2)
		time.Sleep(time.Second) // virtual: the Home keep-alives are answered
		if _, err := FetchPeers(t.Context(), pn.element0(0), remoteOf(r1)); err != nil {
			t.Error(err)
		}
		pn.start(4, 1)
		time.Sleep(time.Second)
		stop()
	})

	fields := append([]string{"asap.message_type", "enrp.message_type", "asap.h_bit"}, tshark.CleanFields...)
	frames := tshark.Decode(t, file, []string{"-d", fmt.Sprintf("udp.port==%d,sctp", DefaultENRPPort)}, fields...)
	for _, bad := range tshark.Clean(frames) {
		t.Error(bad)
	}
	seen := map[string]int{}
	for _, f := range frames {
		for _, field := range []string{"asap.message_type", "enrp.message_type", "asap.h_bit"} {
			for _, v := range f[field] {
				seen[field+"="+v]++
			}
		}
	}
	for _, typ := range []wire.ENRPType{wire.ENRPPresence, wire.ENRPHandleTableRequest, wire.ENRPHandleTableResponse,
		wire.ENRPHandleUpdate, wire.ENRPInitTakeover, wire.ENRPInitTakeoverAck, wire.ENRPTakeoverServer,
		wire.ENRPListRequest, wire.ENRPListResponse} {
		if seen["enrp.message_type="+strconv.Itoa(int(typ))] == 0 {
			t.Errorf("tshark found no %v in %d frames", typ, len(frames))
		}
	}
	if n := seen["asap.h_bit=1"]; n != 3 {
		t.Errorf("tshark found %d Keep-Alives with the Home flag, want one to each of the 3 elements taken over", n)
	}
	t.Logf("%d frames, counts by type: %v", len(frames), seen)
}
