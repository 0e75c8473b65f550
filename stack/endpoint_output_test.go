package stack

import (
	"time"

	"errors"
	"net/netip"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/encap"
)

// recordConn records the batches sent through it. The first SendBatch
// waits for hold to close, after telling entered, when hold is set; sends
// to refuse fail as the OS fails an unreachable destination.
type recordConn struct {
	PacketConn // nil: the output uses only SendBatch

	hold    chan struct{}
	entered chan struct{}
	refuse  netip.AddrPort
	local   netip.AddrPort

	mu      sync.Mutex
	batches [][]string
}

func (c *recordConn) SendBatch(ds []encap.Datagram) error {
	c.mu.Lock()
	first := len(c.batches) == 0
	var batch []string
	var errs []error
	for _, d := range ds {
		batch = append(batch, string(d.AppendTo(nil)))
		if d.Remote == c.refuse {
			errs = append(errs, &encap.SendError{Local: c.local, Remote: d.Remote, Err: syscall.ENETUNREACH})
		}
	}
	c.batches = append(c.batches, batch)
	c.mu.Unlock()
	if first && c.hold != nil {
		c.entered <- struct{}{}
		<-c.hold
	}
	return errors.Join(errs...)
}

var (
	outLocal = netip.MustParseAddrPort("127.0.0.1:9899")
	outPeer  = netip.MustParseAddrPort("127.0.0.2:9899")
	outGone  = netip.MustParseAddrPort("127.0.0.3:9899")
)

func dgram(s string, to netip.AddrPort) encap.Datagram {
	return encap.Datagram{Data: []byte(s), Local: netip.AddrPortFrom(outLocal.Addr(), 0), Remote: to}
}

// testAssoc is an association that never runs: its queued work stays
// there for the test to look at.
func testAssoc() *Association {
	a := &Association{}
	a.own.Store(ownBusy)
	return a
}

// While one flush sends, the others queue copies of their packets and
// return at once; the leader sends them next, in one batch, in the order
// they came, and a refusal goes to the association whose packet it was.
func TestOutputGathersBehindLeader(t *testing.T) {
	conn := &recordConn{hold: make(chan struct{}), entered: make(chan struct{}), refuse: outGone, local: outLocal}
	o := &output{conn: conn}
	a, b, c := testAssoc(), testAssoc(), testAssoc()

	done := make(chan error)
	go func() { done <- o.send(a, []encap.Datagram{dgram("a1", outPeer)}) }()
	<-conn.entered

	bs := []encap.Datagram{dgram("b1", outPeer), dgram("b2", outPeer)}
	require.NoError(t, o.send(b, bs))
	bs[0].Data[0] = 'x' // b's flush reuses its buffers as soon as it returns
	require.NoError(t, o.send(c, []encap.Datagram{dgram("c1", outGone)}))

	close(conn.hold)
	require.NoError(t, <-done, "the leader's own packet was sent")
	require.Equal(t, [][]string{{"a1"}, {"b1", "b2", "c1"}}, conn.batches)
	require.Equal(t, uint64(1+3), o.packets.Load())
	require.Equal(t, uint64(2), o.sends.Load())
	require.Equal(t, uint64(3), o.gathered.Load())

	require.Empty(t, b.in.cmds, "b's packets all left")
	require.Len(t, c.in.cmds, 1, "c hears of its refused packet")
	c.in.cmds[0](time.Now())
	require.Equal(t, uint64(1), c.stats.SendErrors)
}

// Packets queued while the leader yielded go out after its own, in its
// system call; the leader gets the refusals of its own packets back.
func TestOutputLeaderSendsFirst(t *testing.T) {
	conn := &recordConn{refuse: outGone, local: outLocal}
	o := &output{conn: conn}
	a, b := testAssoc(), testAssoc()
	o.take().add(b, []encap.Datagram{dgram("b1", outPeer)})

	err := o.send(a, []encap.Datagram{dgram("a1", outPeer), dgram("a2", outGone)})
	var se *encap.SendError
	require.ErrorAs(t, err, &se)
	require.Equal(t, outGone, se.Remote)
	require.Equal(t, [][]string{{"a1", "a2", "b1"}}, conn.batches)
	require.Empty(t, b.in.cmds)
	require.False(t, o.leading)
}
