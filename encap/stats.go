package encap

import "sync/atomic"

// Stats are cumulative counters of a Transport since Open.
type Stats struct {
	DatagramsSent, BytesSent         uint64
	DatagramsReceived, BytesReceived uint64

	// SendBatches counts groups of datagrams handed to one socket at once;
	// ReadBatches counts reads that returned datagrams. Datagrams per
	// batch show how much batching the load allowed.
	SendBatches, ReadBatches uint64

	// GSOSends counts messages that carried a run of datagrams for the
	// kernel to cut apart (UDP GSO, Linux), GSOSegments the datagrams in
	// them. GROReads counts received buffers in which the kernel had
	// coalesced several datagrams (UDP GRO), GROSegments the datagrams
	// split out of them. On loopback a GSO run reaches a GRO socket whole.
	GSOSends, GSOSegments, GROReads, GROSegments uint64

	Truncated  uint64 // received datagrams longer than MaxDatagram, dropped
	SendErrors uint64 // datagrams the socket refused to send
	NoSocket   uint64 // datagrams dropped for want of a socket to send them from
	ReadErrors uint64 // failed reads other than those caused by closing the socket
	TapErrors  uint64 // datagrams the pcapng tap failed to record

	// ICMPErrors counts the errors read from the sockets' error queues
	// (Linux, with Config.PacketTooBig set); PacketTooBig those of them
	// reported to Config.PacketTooBig.
	ICMPErrors, PacketTooBig uint64

	// ReadBuffer and WriteBuffer are the socket buffer sizes granted by
	// the kernel, the smallest among the open sockets. On Linux this is
	// what SO_RCVBUF and SO_SNDBUF report, twice the usable size, since
	// the kernel doubles the request to account for its bookkeeping. Zero
	// means unknown: the request was refused or the network (vnet) has no
	// socket buffers.
	ReadBuffer, WriteBuffer int

	// ReceiveDrops counts the datagrams the kernel dropped at the sockets
	// before they were read, mostly for want of room in their receive
	// buffers (Linux; zero elsewhere). Sockets closed since count no more.
	ReceiveDrops uint64
}

// counters are the live, concurrently updated counters behind Stats.
// Updates are made once per batch, not per datagram, to keep the shared
// cache line cool.
type counters struct {
	sent, bytesSent, recv, bytesRecv atomic.Uint64
	sendBatches, readBatches         atomic.Uint64
	gsoSends, gsoSegments            atomic.Uint64
	groReads, groSegments            atomic.Uint64
	truncated, sendErrors, noSocket  atomic.Uint64
	readErrors, tapErrors            atomic.Uint64
	icmpErrors, packetTooBig         atomic.Uint64
}

func (c *counters) snapshot() Stats {
	return Stats{
		DatagramsSent:     c.sent.Load(),
		BytesSent:         c.bytesSent.Load(),
		DatagramsReceived: c.recv.Load(),
		BytesReceived:     c.bytesRecv.Load(),
		SendBatches:       c.sendBatches.Load(),
		ReadBatches:       c.readBatches.Load(),
		GSOSends:          c.gsoSends.Load(),
		GSOSegments:       c.gsoSegments.Load(),
		GROReads:          c.groReads.Load(),
		GROSegments:       c.groSegments.Load(),
		Truncated:         c.truncated.Load(),
		SendErrors:        c.sendErrors.Load(),
		NoSocket:          c.noSocket.Load(),
		ReadErrors:        c.readErrors.Load(),
		TapErrors:         c.tapErrors.Load(),
		ICMPErrors:        c.icmpErrors.Load(),
		PacketTooBig:      c.packetTooBig.Load(),
	}
}
