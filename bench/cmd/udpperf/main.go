// Command udpperf measures raw UDP on loopback: the ceiling for any SCTP
// stack that runs over UDP. It moves datagrams through mobisctp's own UDP
// layer (package encap), so that it pays exactly the system calls the
// stack pays and nothing more: sendmmsg and recvmmsg through x/sys with
// preallocated state, no allocation per datagram and no deadline per read,
// and with -offload UDP GSO on send and GRO on receive where the kernel has
// them. The difference between mobisctp and this tool is what SCTP costs.
//
// The client sends datagrams of one size as fast as it can for a time,
// -burst at a time (one encap.Transport.SendBatch each), then a few empty
// datagrams that tell the server to stop. The server counts the datagrams
// that arrive; it also stops after -idle without traffic, in case every
// end marker was lost.
//
//	udpperf server [-listen 127.0.0.1:0] [-buffer BYTES] [-batch N] [-offload] [-sctp-work] [-idle DUR]
//	udpperf client -connect 127.0.0.1:PORT [-size BYTES] [-time DUR] [-burst N] [-batch N] [-offload] [-sctp-work] [-buffer BYTES]
//
// -batch is encap's BatchSize: datagrams (with -offload, GSO runs or GRO
// reads) per system call; 1 sends and reads one datagram per call.
// -sctp-work, given to both sides, adds the per-byte work of any SCTP over
// UDP (see work.go). Each
// side prints one JSON object (measure.Result) on stdout when done; the
// server announces its UDP port on stderr first. Comparing the two shows
// how much the kernel dropped.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
	"github.com/mobisctp/mobisctp/encap"
)

// endMarkers is how many empty datagrams the client sends at the end.
const endMarkers = 3

// defaultBatch is encap's default BatchSize, which mobisctp uses.
const defaultBatch = 32

func main() {
	measure.Main("udpperf", map[string]measure.Mode{"server": server, "client": client})
}

// socketFlags are the flags of the UDP layer that both sides take.
type socketFlags struct {
	batch   int
	offload bool
	work    bool
}

func (f *socketFlags) register(fs *flag.FlagSet) {
	fs.IntVar(&f.batch, "batch", defaultBatch, "datagrams, GSO runs or GRO reads per system call (encap's BatchSize; 1: no batching)")
	fs.BoolVar(&f.offload, "offload", false, "use UDP GSO and GRO where the kernel has them")
	fs.BoolVar(&f.work, "sctp-work", false, "also do the per-byte work of any SCTP over UDP: copy each message into a retransmission ring and checksum it (CRC32c) before sending, checksum each datagram on receipt")
}

// open binds mobisctp's UDP layer to local with buffer-byte socket
// buffers, handing what arrives to h.
func (f *socketFlags) open(local netip.AddrPort, buffer int, h encap.Handler) (*encap.Transport, error) {
	if f.batch < 1 {
		return nil, fmt.Errorf("-batch %d: must be at least 1", f.batch)
	}
	return encap.Open(encap.Config{
		Addrs: []netip.Addr{local.Addr()}, Port: int(local.Port()),
		ReadBuffer: buffer, WriteBuffer: buffer,
		BatchSize: f.batch, NoOffload: !f.offload,
	}, h)
}

// server counts datagrams until an empty one arrives or the sender has
// been quiet for -idle.
func server(fs *flag.FlagSet, args []string) (measure.Result, error) {
	var f measure.ServerFlags
	f.Register(fs)
	var sf socketFlags
	sf.register(fs)
	idle := fs.Duration("idle", time.Second, "stop after this long without a datagram, once one arrived")
	_ = fs.Parse(args) // ExitOnError
	local, err := f.Addr()
	if err != nil {
		return measure.Result{}, err
	}
	rx := newReceiver()
	if sf.work {
		rx.work = newReader()
	}
	t, err := sf.open(local, f.Buffer, rx.handle)
	if err != nil {
		return measure.Result{}, err
	}
	defer t.Close()
	measure.Announce(netip.AddrPortFrom(local.Addr(), uint16(t.Port())))
	return rx.wait(*idle), nil
}

// client sends for -time, then the end markers.
func client(fs *flag.FlagSet, args []string) (measure.Result, error) {
	var f measure.ClientFlags
	f.Register(fs)
	var sf socketFlags
	sf.register(fs)
	burst := fs.Int("burst", 64, "datagrams per SendBatch call")
	_ = fs.Parse(args) // ExitOnError
	remote, err := f.Server()
	if err != nil {
		return measure.Result{}, err
	}
	if *burst < 1 {
		return measure.Result{}, fmt.Errorf("-burst %d: must be at least 1", *burst)
	}
	local := netip.IPv6Loopback() // the tool measures loopback
	if remote.Addr().Is4() {
		local = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	}
	t, err := sf.open(netip.AddrPortFrom(local, 0), f.Buffer, func([]encap.Datagram) {})
	if err != nil {
		return measure.Result{}, err
	}
	defer t.Close()
	payload := make([]byte, f.Size)
	ds := make([]encap.Datagram, *burst)
	for i := range ds {
		ds[i] = encap.Datagram{Data: payload, Remote: remote}
	}
	var ring *sendRing
	if sf.work {
		ring = newSendRing()
	}
	r, err := measure.SendFor(f.Time, f.Size, func(context.Context) (int, error) {
		if ring != nil {
			ring.fill(ds, payload)
		}
		return len(ds), t.SendBatch(ds)
	})
	if err != nil {
		return r, fmt.Errorf("send: %w", err)
	}
	for range endMarkers {
		// The server may be gone after the first; later errors don't matter.
		_ = t.Send(encap.Datagram{Remote: remote})
	}
	return r, nil
}
