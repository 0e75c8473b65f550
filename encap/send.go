package encap

import (
	"errors"
	"fmt"
	"net"
)

// SendBatch sends ds in order. Each datagram leaves from the socket bound
// to its Local address or, if there is none (or Local is zero, or of the
// other address family than Remote), from the first socket of Remote's
// family. Consecutive datagrams with the same source go to the kernel
// together, in batches of up to Config.BatchSize per system call where
// batching is available.
//
// A datagram that cannot be sent is counted in Stats and skipped; the
// others are still sent. SendBatch returns the failures joined: a
// *SendError for each datagram the OS refused, and an error wrapping
// ErrNoSocket for a group that no socket could send. ds is not retained.
func (t *Transport) SendBatch(ds []Datagram) error {
	cur := t.socks.Load()
	if cur == nil {
		return net.ErrClosed
	}
	socks := *cur
	var errs []error
	for len(ds) > 0 {
		s, n := source(socks, ds[0]), 1
		for n < len(ds) && source(socks, ds[n]) == s {
			n++
		}
		errs = t.sendFrom(s, ds[:n], errs)
		ds = ds[n:]
	}
	return errors.Join(errs...)
}

// Send sends one datagram, as SendBatch does.
func (t *Transport) Send(d Datagram) error {
	one := t.one.Get().(*[1]Datagram)
	one[0] = d
	err := t.SendBatch(one[:])
	one[0] = Datagram{} // do not keep the payload alive in the pool
	t.one.Put(one)
	return err
}

// source returns the socket that sends d: the one bound to d.Local's
// address if it is of d.Remote's address family, otherwise the first
// socket of that family, or nil.
func source(socks []*socket, d Datagram) *socket {
	remote := d.Remote.Addr().Unmap()
	if !remote.IsValid() {
		return nil
	}
	local := d.Local.Addr().Unmap()
	var first *socket
	for _, s := range socks {
		a := s.local.Addr()
		if a.Is4() != remote.Is4() {
			continue
		}
		if a == local {
			return s
		}
		if first == nil {
			first = s
		}
	}
	return first
}

// sendFrom sends ds from s, skipping datagrams the socket refuses, or
// drops them all if s is nil; it appends the failures to errs.
func (t *Transport) sendFrom(s *socket, ds []Datagram, errs []error) []error {
	if s == nil {
		t.stats.noSocket.Add(uint64(len(ds)))
		if !ds[0].Local.Addr().IsValid() {
			return append(errs, fmt.Errorf("encap: send to %v: %w", ds[0].Remote, ErrNoSocket))
		}
		return append(errs, fmt.Errorf("encap: send from %v to %v: %w", ds[0].Local.Addr(), ds[0].Remote, ErrNoSocket))
	}
	t.stats.sendBatches.Add(1)
	// The tap records before the datagrams leave, so a capture never shows
	// the answer to a packet ahead of the packet itself.
	t.tapSent(s.local, ds)
	retry := true // once per datagram, if it failed for another's ICMP error
	for len(ds) > 0 {
		n, err := s.io.write(ds)
		t.sent(s, ds[:n])
		if err == nil {
			break
		}
		retry = retry || n > 0
		if t.readErrors(s, err) && retry {
			retry, ds = false, ds[n:] // ds[n] was not sent: the error was for an earlier datagram
			continue
		}
		retry = true
		t.stats.sendErrors.Add(1)
		errs = append(errs, &SendError{Local: s.local, Remote: ds[n].Remote, Err: err})
		ds = ds[n+1:]
	}
	return errs
}

// sent counts datagrams that left from s.
func (t *Transport) sent(s *socket, ds []Datagram) {
	if len(ds) == 0 {
		return
	}
	bytes := 0
	for i := range ds {
		bytes += ds[i].Len()
	}
	t.stats.sent.Add(uint64(len(ds)))
	t.stats.bytesSent.Add(uint64(bytes))
}
