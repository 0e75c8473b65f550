package encap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pion/logging"
	"github.com/pion/transport/v5"
	"github.com/pion/transport/v5/vnet"
)

// waitTimeout bounds every wait for datagrams or goroutines in the tests.
const waitTimeout = 10 * time.Second

// TestMain fails the run if any socket reader outlives the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 && !eventually(func() bool { return readers() == 0 }) {
		fmt.Fprintf(os.Stderr, "FAIL: %d socket readers still running after the tests\n", readers())
		code = 1
	}
	os.Exit(code)
}

// readers counts the goroutines running a socket reader, started or not.
func readers() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "created by github.com/mobisctp/mobisctp/encap.(*Transport).start")
}

// expectReaders fails the test unless exactly want socket readers run,
// once readers of transports closed earlier have finished exiting.
func expectReaders(t *testing.T, want int) {
	t.Helper()
	if !eventually(func() bool { return readers() == want }) {
		t.Errorf("%d socket readers running, want %d", readers(), want)
	}
}

// eventually polls cond until it holds or waitTimeout passes. It is meant
// for conditions that become true right after a synchronizing call (a
// goroutine that has signalled its end still needs a moment to exit).
func eventually(cond func() bool) bool {
	for deadline := time.Now().Add(waitTimeout); time.Now().Before(deadline); runtime.Gosched() {
		if cond() {
			return true
		}
	}
	return cond()
}

// testNet is a network the shared tests run on, with two hosts (0 and 1),
// each with at least three local addresses.
type testNet interface {
	// config returns a Config for a transport of host h, without addresses.
	config(h int) Config
	// addr returns the i-th local address of host h.
	addr(h, i int) netip.Addr
}

// hostNet is the host's loopback network: 127.0.h.i+1 are all local.
type hostNet struct {
	batch     int
	noOffload bool
}

func (n hostNet) config(int) Config { return Config{BatchSize: n.batch, NoOffload: n.noOffload} }

func (hostNet) addr(h, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{127, 0, byte(h), byte(i + 1)})
}

// vnetNet is a pion vnet router with one Net per host, holding addresses
// from the documentation prefix 192.0.2.0/24 (nothing leaves the process).
type vnetNet struct{ nets [2]*vnet.Net }

func newVNet(t *testing.T) *vnetNet {
	t.Helper()
	quiet := &logging.DefaultLoggerFactory{Writer: io.Discard, DefaultLogLevel: logging.LogLevelDisabled}
	r, err := vnet.NewRouter(&vnet.RouterConfig{CIDR: "192.0.2.0/24", LoggerFactory: quiet})
	if err != nil {
		t.Fatal(err)
	}
	n := &vnetNet{}
	for h := range n.nets {
		var ips []string
		for i := range 3 {
			ips = append(ips, n.addr(h, i).String())
		}
		if n.nets[h], err = vnet.NewNet(&vnet.NetConfig{StaticIPs: ips}); err != nil {
			t.Fatal(err)
		}
		if err := r.AddNet(n.nets[h]); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Error(err)
		}
	})
	return n
}

func (n *vnetNet) config(h int) Config { return Config{Net: transport.Net(n.nets[h])} }

func (*vnetNet) addr(h, i int) netip.Addr {
	return netip.AddrFrom4([4]byte{192, 0, 2, byte(10*h + i + 1)})
}

// forEachNet runs test on the host's loopback with batching and offload
// (where the OS has them), with batching only, with neither, and on a pion
// vnet, which takes the per-datagram path.
func forEachNet(t *testing.T, test func(t *testing.T, n testNet)) {
	t.Run("loopback-offload", func(t *testing.T) { test(t, hostNet{batch: 0}) })
	t.Run("loopback-batch", func(t *testing.T) { test(t, hostNet{batch: 0, noOffload: true}) })
	t.Run("loopback-nobatch", func(t *testing.T) { test(t, hostNet{batch: 1}) })
	t.Run("vnet", func(t *testing.T) { test(t, newVNet(t)) })
}

// open opens a transport that the test closes when it ends.
func open(t testing.TB, cfg Config, h Handler) *Transport {
	t.Helper()
	tr, err := Open(cfg, h)
	if err != nil {
		t.Fatalf("Open(%v): %v", cfg.Addrs, err)
	}
	t.Cleanup(func() {
		if err := tr.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return tr
}

// openOn opens a transport of host h of n on the given address indices.
func openOn(t *testing.T, n testNet, h int, idx []int, mod func(*Config), hd Handler) *Transport {
	t.Helper()
	cfg := n.config(h)
	for _, i := range idx {
		cfg.Addrs = append(cfg.Addrs, n.addr(h, i))
	}
	if mod != nil {
		mod(&cfg)
	}
	return open(t, cfg, hd)
}

// endpoint is a's address and tr's port.
func endpoint(tr *Transport, a netip.Addr) netip.AddrPort {
	return netip.AddrPortFrom(a, uint16(tr.Port()))
}

// collector is a Handler that keeps copies of what it receives.
type collector struct {
	mu     sync.Mutex
	got    []Datagram
	signal chan struct{} // receives a token when got grows
}

func newCollector() *collector { return &collector{signal: make(chan struct{}, 1)} }

func (c *collector) handle(batch []Datagram) {
	c.mu.Lock()
	for _, d := range batch {
		d.Data = slices.Clone(d.Data)
		c.got = append(c.got, d)
	}
	c.mu.Unlock()
	select {
	case c.signal <- struct{}{}:
	default:
	}
}

// wait returns the first n datagrams received, failing the test if they
// do not arrive within waitTimeout.
func (c *collector) wait(t *testing.T, n int) []Datagram {
	t.Helper()
	timeout := time.NewTimer(waitTimeout)
	defer timeout.Stop()
	for {
		c.mu.Lock()
		have := len(c.got)
		if have >= n {
			got := slices.Clone(c.got[:n])
			c.mu.Unlock()
			return got
		}
		c.mu.Unlock()
		select {
		case <-c.signal:
		case <-timeout.C:
			t.Fatalf("received %d of %d datagrams within %v", have, n, waitTimeout)
		}
	}
}

// ignore is a Handler for transports that only send.
func ignore([]Datagram) {}

// numbered returns count datagrams of size bytes and one of last bytes,
// each starting with its index, to dst.
func numbered(count, size, last int, dst netip.AddrPort) []Datagram {
	ds := make([]Datagram, count+1)
	for i := range ds {
		n := size
		if i == count {
			n = last
		}
		data := bytes.Repeat([]byte{byte(i)}, n)
		binary.BigEndian.PutUint16(data, uint16(i))
		ds[i] = Datagram{Data: data, Remote: dst}
	}
	return ds
}
