package encap

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
)

// ErrNoSocket reports that no socket can send a datagram (none is bound to
// its source address or its address family) or that RemoveAddr named an
// address without a socket.
var ErrNoSocket = errors.New("encap: no socket")

// Datagram is one UDP datagram.
type Datagram struct {
	Data []byte

	// Rest, on send, is more of the datagram: its bytes are Data and then
	// each of Rest in order. A sender that keeps parts of its datagrams
	// elsewhere (the stack's message payloads, which stay in its send
	// buffer for retransmission) points at them instead of copying them
	// into one buffer; on Linux the kernel gathers them (an iovec each),
	// elsewhere the transport copies them together. Linux takes at most
	// 1024 pieces, Data included (UIO_MAXIOV). Nil on receipt.
	Rest [][]byte

	// Local is, on receipt, the local address and port it arrived on; on
	// send, the source to use (only the address matters).
	Local netip.AddrPort

	// Remote is the peer's address and UDP port.
	Remote netip.AddrPort

	// Buffer, on receipt of a datagram split out of a coalesced read or
	// of one of at least 2 KiB read in batches, is the buffer Data is in,
	// which the handler may keep (see Buffer); nil otherwise.
	Buffer *Buffer
}

// Handler receives a batch of datagrams read from one socket, on that
// socket's reader goroutine (readers of different sockets call it
// concurrently). The Data slices are valid only until the
// handler returns, as buffers are reused: it copies what it keeps, or
// retains the datagram's Buffer where it has one. It may
// send, but must not call AddAddr, RemoveAddr or Close, which wait for
// readers to return.
type Handler func(batch []Datagram)

// Transport is a set of UDP sockets on one port, one per local address.
// Its methods are safe for concurrent use.
type Transport struct {
	cfg     Config
	handler Handler
	port    int
	stats   counters
	one     sync.Pool // of *[1]Datagram, so that Send does not allocate

	// socks is the current socket set, replaced (never modified) under mu
	// so that senders read it without locking; nil once closed.
	socks atomic.Pointer[[]*socket]
	mu    sync.Mutex // serializes AddAddr, RemoveAddr and Close
}

// ephemeralTries bounds the attempts to find an ephemeral port that is
// free on every address.
const ephemeralTries = 8

// Open binds a UDP socket to each of cfg.Addrs and starts reading, passing
// every batch of datagrams received to h.
func Open(cfg Config, h Handler) (*Transport, error) {
	if h == nil {
		return nil, errors.New("encap: nil Handler")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &Transport{cfg: cfg, handler: h}
	t.one.New = func() any { return new([1]Datagram) }
	socks, err := t.bind(cfg.Addrs)
	if err != nil {
		return nil, err
	}
	t.port = int(socks[0].local.Port())
	t.socks.Store(&socks)
	for _, s := range socks {
		t.start(s)
	}
	return t, nil
}

// bind opens a socket on each address. For an ephemeral port it retries
// when the number the first socket got is taken on another address.
func (t *Transport) bind(addrs []netip.Addr) ([]*socket, error) {
	for try := 1; ; try++ {
		socks, err := t.bindAt(addrs, t.cfg.Port)
		if err == nil || t.cfg.Port != 0 || try == ephemeralTries || !errors.Is(err, syscall.EADDRINUSE) {
			return socks, err
		}
	}
}

// bindAt opens a socket on each address at port; with port 0 the first
// socket picks the number for the others.
func (t *Transport) bindAt(addrs []netip.Addr, port int) ([]*socket, error) {
	socks := make([]*socket, 0, len(addrs))
	for _, a := range addrs {
		s, err := openSocket(&t.cfg, &t.stats, a, port)
		if err != nil {
			for _, s := range socks {
				_ = s.shut() // no reader yet; the bind error is the one to report
			}
			return nil, err
		}
		port = int(s.local.Port())
		socks = append(socks, s)
	}
	return socks, nil
}

// start runs the socket's reader.
func (t *Transport) start(s *socket) { go t.readLoop(s) }

// Port returns the UDP port of all sockets.
func (t *Transport) Port() int { return t.port }

// LocalAddrs returns the addresses that have a socket, in the order they
// were bound; none once closed.
func (t *Transport) LocalAddrs() []netip.Addr {
	cur := t.socks.Load()
	if cur == nil {
		return nil
	}
	addrs := make([]netip.Addr, len(*cur))
	for i, s := range *cur {
		addrs[i] = s.local.Addr()
	}
	return addrs
}

// AddAddr binds another socket, to a on the transport's port, and starts
// reading from it: an address appeared.
func (t *Transport) AddAddr(a netip.Addr) error {
	a, err := checkAddr(a)
	if err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.socks.Load()
	if cur == nil {
		return net.ErrClosed
	}
	if index(*cur, a) >= 0 {
		return fmt.Errorf("encap: %v already has a socket: %w", a, fs.ErrExist)
	}
	s, err := openSocket(&t.cfg, &t.stats, a, t.port)
	if err != nil {
		return err
	}
	next := append(slices.Clip(*cur), s) // a new array: published snapshots stay as they are
	t.socks.Store(&next)
	t.start(s)
	return nil
}

// RemoveAddr closes the socket bound to a and waits for its reader to
// return: an address went away. Sends from a then use another socket of
// its family; one already under way may fail.
func (t *Transport) RemoveAddr(a netip.Addr) error {
	a = a.Unmap()
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.socks.Load()
	if cur == nil {
		return net.ErrClosed
	}
	i := index(*cur, a)
	if i < 0 {
		return fmt.Errorf("encap: remove %v: %w", a, ErrNoSocket)
	}
	s := (*cur)[i]
	next := slices.Delete(slices.Clone(*cur), i, i+1)
	t.socks.Store(&next)
	err := s.shut()
	<-s.done
	return err
}

// Close closes every socket and waits for the readers to return. It
// leaves Config.Tap open. Later calls do nothing; sends after Close fail
// with net.ErrClosed.
func (t *Transport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	cur := t.socks.Swap(nil)
	if cur == nil {
		return nil
	}
	var errs []error
	for _, s := range *cur {
		errs = append(errs, s.shut())
	}
	for _, s := range *cur {
		<-s.done
	}
	return errors.Join(errs...)
}

// Stats returns the transport's counters and the socket buffer sizes
// granted to its open sockets.
func (t *Transport) Stats() Stats {
	st := t.stats.snapshot()
	if cur := t.socks.Load(); cur != nil && len(*cur) > 0 {
		st.ReadBuffer, st.WriteBuffer = (*cur)[0].readBuf, (*cur)[0].writeBuf
		for _, s := range (*cur)[1:] {
			st.ReadBuffer, st.WriteBuffer = min(st.ReadBuffer, s.readBuf), min(st.WriteBuffer, s.writeBuf)
		}
	}
	st.ReceiveDrops = t.ReceiveDrops()
	return st
}

// ReceiveDrops returns how many datagrams the kernel dropped at the open
// sockets before they were read, mostly because a receive buffer was full
// (Linux; 0 elsewhere). It asks the kernel, one system call per socket.
func (t *Transport) ReceiveDrops() uint64 {
	var n uint64
	if cur := t.socks.Load(); cur != nil {
		for _, s := range *cur {
			if s.drops != nil {
				n += s.drops()
			}
		}
	}
	return n
}

// index returns the position of the socket bound to a, or -1.
func index(socks []*socket, a netip.Addr) int {
	return slices.IndexFunc(socks, func(s *socket) bool { return s.local.Addr() == a })
}
