package stack

// rxTune sizes an association's receive buffer, the space its window is
// counted from, between Config.RecvBuffer and Config.RecvBufferMax, in
// the spirit of Linux's TCP receive buffer tuning: it doubles while the
// peer is held up by the window and the application keeps up, so a
// window grows only where it is what limits a transfer, and it halves
// back while the application falls behind.
//
// Why: perf at 8000 bytes between two processes of one core each, on
// loopback. The socket reader of the receiver goes through a batch of up
// to 2 MiB (32 datagrams of 64 KiB) before the application reads any of
// it, so up to half of a 4 MiB window is taken by data already received
// when the batch's SACKs leave; with the sender's buffer also at 4 MiB
// (see growSendBuffer), each side waited for the other about a fifth of
// the time.
//
// It needs no clock. A measurement ends once a buffer's worth of data has
// arrived. The peer was held up by the window if the window it believes
// it has (receiver.view: the last one advertised, less what arrived
// since) fell below a quarter of the buffer meanwhile. That sees a peer
// that filled the window faster than SACKs came back to it, as on a path
// to this host; on a long path, where the window is mostly in the network
// and each SACK advertises it nearly whole, it does not, and the window
// stays at RecvBuffer as before (Linux measures the round trip for
// that). The application keeps up if the SACK that ends the measurement
// finds the receive queues holding at most half the buffer; any SACK that
// finds more shrinks the buffer at once, so that an application that
// stops reading holds RecvBuffer again, besides what the peer had in
// flight (which is accepted: it was sent into a window we offered).
//
// From a peer on this host (path.onHost) the buffer grows no further than
// the endpoint's socket holds (rxShare.budget): with no network between
// the two, all of the window that is not in our queues is in the socket,
// and one that outgrew it overflowed it whenever the socket reader fell
// behind (windows of 8 MiB beside a socket of 4 MiB: datagrams dropped,
// retransmission timeouts, 8 Gbit/s). Elsewhere the endpoint's share of
// its socket caps the windows after drops (rxShare), and a peer held up
// by that cap is not counted as held up by the buffer.
type rxTune struct {
	buf    int  // the receive buffer now, from RecvBuffer to RecvBufferMax
	got    int  // bytes received (rxCost) in this measurement
	held   bool // the peer's window fell below a quarter of buf in it
	capped bool // the last window advertised was cut to the endpoint's share (rxShare)
	grew   bool // buf has been above RecvBuffer: arriving DATA may fill RecvBufferMax
}

// The bounds stay in the Config: an idle association is 2,688 bytes, the
// top of its allocation size class.

func (t *rxTune) init(base int) { *t = rxTune{buf: base} }

// received counts a chunk of cost bytes that arrived, after which the peer
// believes it has view bytes of window left. A peer held up by the
// endpoint's share of its socket is not held up by the buffer: growing
// it would not help.
func (t *rxTune) received(cost, view int) {
	t.got += cost
	if view < t.buf/4 && !t.capped {
		t.held = true
	}
}

// adjust resizes the buffer between base and top, with the receive queues
// and the reassembly holding queued bytes, before a SACK counts the window
// from it. It grows no further than limit either.
func (t *rxTune) adjust(queued, base, top, limit int) {
	switch {
	case queued > t.buf/2 && t.buf > base:
		t.buf = max(t.buf/2, base)
		t.got, t.held = 0, false
	case t.got >= t.buf:
		if t.held && queued <= t.buf/2 {
			t.buf = max(min(2*t.buf, top, limit), t.buf)
			t.grew = t.grew || t.buf > base
		}
		t.got, t.held = 0, false
	}
}

// room is what arriving DATA may fill: the largest buffer windows may have
// been offered from, so that a peer that sent into a window offered before
// the buffer shrank loses nothing.
func (t *rxTune) room(base, top int) int {
	if t.grew {
		return top
	}
	return base
}
