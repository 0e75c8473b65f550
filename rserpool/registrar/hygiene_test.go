package registrar

import (
	"bytes"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/logging"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// registerOn feeds a registration of e in pool handle to the rig and
// returns the response.
func (h *handlerRig) registerOn(t *testing.T, handle string, e wire.PoolElement) *wire.RegistrationResponse {
	t.Helper()
	out := h.feed(wire.PPIDASAP, wire.AppendASAP(nil, &wire.Registration{Handle: wire.PoolHandle(handle), Element: e}))
	var r wire.RegistrationResponse
	m, err := wire.ParseASAP(out[0].msg)
	if err == nil {
		err = m.Decode(&r)
	}
	if err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestLifetimeClamped registers an element for 49.7 days: it is stored
// with MaxLifetime.
func TestLifetimeClamped(t *testing.T) {
	h := newHandlerRig()
	e := element(1, roundRobin, peAddr)
	e.RegLife = 0xffffffff
	if r := h.registerOn(t, "echo", e); r.Reject {
		t.Fatalf("refused: %+v", r)
	}
	el := h.c.table().Pools[0].Elements[0]
	if el.RegLife != uint32(DefaultMaxLifetime/time.Millisecond) || el.Expires.Sub(el.Registered) != DefaultMaxLifetime {
		t.Errorf("life %d ms, expires %v after registering", el.RegLife, el.Expires.Sub(el.Registered))
	}
}

// TestAddressesStoredUnmapped registers an element whose user transport
// lists its address twice, once IPv4-mapped: pool users get it once, as
// an IPv4 address.
func TestAddressesStoredUnmapped(t *testing.T) {
	h := newHandlerRig()
	mapped := netip.AddrFrom16(peAddr.As16())
	if r := h.registerOn(t, "echo", element(1, roundRobin, mapped, peAddr, mapped)); r.Reject {
		t.Fatalf("refused: %+v", r)
	}
	if addrs := h.c.table().Pools[0].Elements[0].UserTransport.Addrs; !slices.Equal(addrs, []netip.Addr{peAddr}) {
		t.Errorf("stored addresses %v, want [%v]", addrs, peAddr)
	}
}

// TestLogsTruncated sends messages with a 60,000-byte pool handle, at
// every log level: no log line quotes it in full.
func TestLogsTruncated(t *testing.T) {
	var logs bytes.Buffer
	f := logging.NewDefaultLoggerFactory()
	f.Writer = &logs
	f.DefaultLogLevel = logging.LogLevelTrace
	cfg := Config{ServerID: 0xabc, LoggerFactory: f}.withDefaults()
	h := &handlerRig{c: newCore(cfg, f.NewLogger("registrar")), s: newSession(&fakeConn{peers: []netip.Addr{peAddr}})}
	huge := wire.PoolHandle(strings.Repeat("h", 60000))
	h.registerOn(t, string(huge), element(1, roundRobin, peAddr))
	h.feed(wire.PPIDASAP, wire.AppendASAP(nil, &wire.EndpointKeepAliveAck{Handle: huge, PEID: 1}))
	h.feed(wire.PPIDASAP, wire.AppendASAP(nil, &wire.EndpointUnreachable{Handle: huge, PEID: 1}))
	if logs.Len() == 0 {
		t.Fatal("nothing logged")
	}
	for line := range strings.Lines(logs.String()) {
		if len(line) > 300 {
			t.Errorf("log line of %d bytes: %.120s...", len(line), line)
		}
	}
}
