package registrar

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/internal/tshark"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// recordDelivered writes every datagram n delivers to a pcapng file until
// the returned stop, which closes the file.
func recordDelivered(t *testing.T, n *simnet.Network, file string) (stop func()) {
	t.Helper()
	w, err := pcapng.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	n.OnPacket(func(ts time.Time, src, dst netip.AddrPort, data []byte, fate simnet.Fate) {
		if fate == simnet.Delivered {
			if err := w.WriteUDP(ts, src, dst, data); err != nil {
				t.Error(err)
			}
		}
	})
	return func() {
		n.OnPacket(nil)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestTsharkDecodesTraffic records a session of every kind of ASAP
// traffic a registrar takes part in, errors included, plus hsdump's ENRP
// exchange, and has tshark decode it: no malformed frame, no expert error,
// good checksums, and every message type we meant.
func TestTsharkDecodesTraffic(t *testing.T) {
	file := filepath.Join(t.TempDir(), "registrar.pcapng")
	synctest.Test(t, func(t *testing.T) {
		env := newSimEnv(t, Config{}, shortLinks)
		stop := recordDelivered(t, env.n, file)
		asapTraffic(t, env)
		time.Sleep(time.Second) // virtual: the last packets arrive
		stop()
	})

	checkCapture(t, file, nil)
}

// TestTsharkDecodesTap records the same traffic on loopback, this time
// with the registrar endpoint's own pcapng tap.
func TestTsharkDecodesTap(t *testing.T) {
	file := filepath.Join(t.TempDir(), "tap.pcapng")
	w, err := pcapng.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{KeepAliveInterval: 100 * time.Millisecond}
	cfg.Endpoint.Tap = w
	r := newLoopback(t, cfg)
	pe := dialRegistrar(t, loopbackEndpoint(t), r)
	pe.mustRegister("echo", element(1, roundRobin, loopback))
	acks := make(chan time.Time, 16)
	go pe.answerKeepAlives(acks)
	<-acks
	pu := dialRegistrar(t, loopbackEndpoint(t), r)
	pu.resolve("echo", 0)
	pu.register("echo", element(2, roundRobin, foreignAddr))
	pu.sendRaw(wire.PPIDASAP, []byte{byte(wire.ASAPRegistration), 0, 0, 4})
	expect[wire.ASAPErrorMessage](pu)
	if _, err := FetchTable(t.Context(), loopbackEndpoint(t), remoteOf(r)); err != nil {
		t.Fatal(err)
	}
	port := r.UDPPort()
	r.Close() // every packet is recorded before the tap is closed
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	checkCapture(t, file, []string{"-d", fmt.Sprintf("udp.port==%d,sctp", port)},
		wire.ASAPRegistration, wire.ASAPRegistrationResponse, wire.ASAPHandleResolution, wire.ASAPHandleResolutionResponse,
		wire.ASAPEndpointKeepAlive, wire.ASAPEndpointKeepAliveAck, wire.ASAPError)
}

// checkCapture has tshark decode file: no malformed frame, no expert
// error, good checksums, and at least one message of each type of want
// (by default every type asapTraffic produces) and of the ENRP handle
// table exchange.
func checkCapture(t *testing.T, file string, extra []string, want ...wire.ASAPType) {
	t.Helper()
	fields := append([]string{"asap.message_type", "enrp.message_type"}, tshark.CleanFields...)
	frames := tshark.Decode(t, file, extra, fields...)
	for _, bad := range tshark.Clean(frames) {
		t.Error(bad)
	}
	seen := map[string]bool{}
	for _, f := range frames {
		for _, field := range []string{"asap.message_type", "enrp.message_type"} {
			for _, v := range f[field] {
				seen[field+"="+v] = true
			}
		}
	}
	if len(want) == 0 {
		want = []wire.ASAPType{
			wire.ASAPRegistration, wire.ASAPDeregistration, wire.ASAPRegistrationResponse, wire.ASAPDeregistrationResponse,
			wire.ASAPHandleResolution, wire.ASAPHandleResolutionResponse, wire.ASAPEndpointKeepAlive, wire.ASAPEndpointKeepAliveAck,
			wire.ASAPEndpointUnreachable, wire.ASAPError,
		}
	}
	for _, typ := range want {
		if !seen["asap.message_type="+strconv.Itoa(int(typ))] {
			t.Errorf("tshark found no %v in %d frames", typ, len(frames))
		}
	}
	for _, typ := range []wire.ENRPType{wire.ENRPHandleTableRequest, wire.ENRPHandleTableResponse} {
		if !seen["enrp.message_type="+strconv.Itoa(int(typ))] {
			t.Errorf("tshark found no %v", typ)
		}
	}
}

// asapTraffic exchanges every message type the registrar handles or sends.
func asapTraffic(t *testing.T, env *simEnv) {
	pe := env.dial(env.host("pe", peAddr))
	pe.mustRegister("echo", element(1, wire.Policy{Type: wire.PolicyLeastUsedDegradation, Load: 7, LoadDegradation: 1}, peAddr))
	acks := make(chan time.Time, 4)
	go pe.answerKeepAlives(acks)
	<-acks

	other := env.dial(env.host("pe2", peAddr2))
	other.register("echo", element(5, roundRobin, foreignAddr))           // refused: not its address
	other.register("new", element(5, wire.Policy{Type: 0x7777}, peAddr2)) // refused: unknown policy
	other.mustRegister("echo", element(5, wire.Policy{Type: wire.PolicyLeastUsedDegradation}, peAddr2))
	other.send(&wire.Deregistration{Handle: wire.PoolHandle("echo"), PEID: 5})
	expect[wire.DeregistrationResponse](other)

	pu := env.dial(env.host("pu", puAddr))
	pu.resolve("echo", 2)
	pu.resolve("unknown", 0)
	pu.send(&wire.EndpointUnreachable{Handle: wire.PoolHandle("echo"), PEID: 1})
	// Unknown, but well-formed enough for tshark: a Pool Handle inside.
	pu.sendRaw(wire.PPIDASAP, withRawParam([]byte{0x42, 0, 0, 4}, wire.ParamPoolHandle, []byte("echo")))
	expect[wire.ASAPErrorMessage](pu)
	pu.sendRaw(wire.PPIDASAP, []byte{byte(wire.ASAPRegistration), 0, 0, 4}) // no parameters
	expect[wire.ASAPErrorMessage](pu)
	pu.sendRaw(wire.PPIDASAP, withRawParam(wire.AppendASAP(nil, &wire.HandleResolution{Handle: wire.PoolHandle("echo")}), 0x4123, []byte{9, 9, 9, 9}))
	expect[wire.ASAPErrorMessage](pu)

	hs := env.host("hsdump", netip.MustParseAddr("192.0.2.4"))
	tab, err := FetchTable(t.Context(), hs, remoteOf(env.r))
	if err != nil || tab.Elements() != 1 {
		t.Errorf("table %+v, %v", tab, err)
	}
}
