package asap

import (
	"bytes"

	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// read passes the association's messages on until it ends, and returns
// why: io.EOF after a graceful shutdown.
func (s *Session) read(a *stack.Association) error {
	r := newReader(a)
	for {
		b, info, err := r.next(s.ctx)
		if err != nil {
			return err
		}
		if info.PPID == wire.PPIDASAP {
			s.control(b)
			continue
		}
		m := Message{Type: MessageData, Data: bytes.Clone(b), Stream: info.Stream, PPID: info.PPID}
		select {
		case s.in <- m:
		case <-s.ctx.Done():
			return s.ctx.Err()
		}
	}
}

// control handles ASAP session control from the element: it keeps the last
// Cookie and Business Card. Anything else is counted and dropped; no input
// can make it fail.
func (s *Session) control(b []byte) {
	m, err := parseControl(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err != nil:
		s.stats.Discarded++
	case m.Type == MessageCookie:
		s.cookie = m.Data
	case m.Type == MessageBusinessCard:
		s.card = m.Card.Elements
	default: // a Cookie Echo has no place at a pool user
		s.stats.Discarded++
	}
}
