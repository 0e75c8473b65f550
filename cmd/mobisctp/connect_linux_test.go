package main

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/netns"
	"github.com/mobisctp/mobisctp/internal/testenv"
)

// TestPerfConnectNoAnswer runs perf client without a local address in a
// namespace whose veth peer has the server's address but nothing
// listening behind it. The client must use the namespace's addresses,
// report each unanswered INIT and give up at --connect-timeout with an
// error naming what it tried.
func TestPerfConnectNoAnswer(t *testing.T) {
	testenv.Root(t)
	testenv.Tool(t, "ip")
	nsCli, nsSrv := netns.New(t, "cli"), netns.New(t, "srv")
	cli, srv := netip.MustParseAddr("10.99.0.1"), netip.MustParseAddr("10.99.0.2")
	netns.Veth(t, nsCli, "eth1", netip.PrefixFrom(cli, 24), nsSrv, "eth1", netip.PrefixFrom(srv, 24))
	var code int
	var stderr string
	start := time.Now()
	if err := nsCli.Do(func() error {
		code, _, stderr = runArgs(context.Background(), "perf", "client", "--connect", srv.String()+":5001",
			"--connect-timeout", "4s", "--bytes", "1000")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	t.Logf("gave up after %v:\n%s", took, stderr)
	if code == exitOK {
		t.Fatal("perf client succeeded with nobody listening")
	}
	for _, want := range []string{"no answer from " + srv.String() + ":9899 yet, retrying", "the connect timeout of 4s ran out", srv.String() + ":5001 (UDP 9899)", cli.String()} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q", want)
		}
	}
}
