package stack

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestConfigRejected: a configuration that cannot work is refused with an
// error naming the field, before any socket is opened.
func TestConfigRejected(t *testing.T) {
	for _, tc := range []struct {
		cfg   Config
		field string
	}{
		{Config{PMTU: 500}, "PMTU"},
		{Config{SendBuffer: -1}, "SendBuffer"},
		{Config{RecvBuffer: 1000}, "RecvBuffer"},
		{Config{RTOInitial: -time.Second}, "RTO"},
		{Config{RTOMin: 2 * time.Second, RTOMax: time.Second}, "RTOMin"},
		{Config{PathMaxRetrans: -1}, "retransmission limits"},
		{Config{CookieLifetime: -1}, "CookieLifetime"},
		{Config{SACKDelay: time.Second}, "SACKDelay"},
		{Config{LocalAddrs: []netip.Addr{netip.MustParseAddr("224.0.0.1")}}, "LocalAddrs"},
	} {
		ep, err := NewEndpoint(tc.cfg)
		if err == nil {
			ep.Close()
			t.Errorf("%+v accepted, want an error naming %s", tc.cfg, tc.field)
			continue
		}
		if !strings.Contains(err.Error(), "config "+tc.field) {
			t.Errorf("error %q does not name %s", err, tc.field)
		}
	}
}
