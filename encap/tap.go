package encap

import (
	"net/netip"
	"time"
)

// Tap records datagrams; a pcapng.Writer (package
// github.com/mobisctp/mobisctp/pcapng) writes them to a file Wireshark
// reads. WriteUDP is called from the transport's goroutines, concurrently.
type Tap interface {
	WriteUDP(ts time.Time, src, dst netip.AddrPort, payload []byte) error
}

// tapReceived records inbound datagrams, which travel from Remote to Local.
func (t *Transport) tapReceived(ds []Datagram) {
	if t.cfg.Tap == nil {
		return
	}
	now := time.Now()
	for _, d := range ds {
		t.tapWrite(now, d.Remote, d.Local, d.Data)
	}
}

// tapSent records datagrams that left from the socket bound to src.
func (t *Transport) tapSent(src netip.AddrPort, ds []Datagram) {
	if t.cfg.Tap == nil {
		return
	}
	now := time.Now()
	buf := flatPool.Get().(*[]byte)
	defer flatPool.Put(buf)
	for i := range ds {
		t.tapWrite(now, src, ds[i].Remote, ds[i].flat(buf))
	}
}

func (t *Transport) tapWrite(now time.Time, src, dst netip.AddrPort, data []byte) {
	if err := t.cfg.Tap.WriteUDP(now, src, dst, data); err != nil {
		t.stats.tapErrors.Add(1)
		t.cfg.Logger.Debugf("pcapng tap: %v", err)
	}
}
