package asap

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// huntPause is the wait before trying the whole registrar list again after
// no registrar answered.
const huntPause = time.Second

// run keeps the element registered until ctx is done: with the current
// registrar while it answers, then with the next one of the list.
func (e *Element) run(ctx context.Context) {
	defer close(e.done)
	for ctx.Err() == nil {
		c, err := e.regs.get(ctx)
		if err != nil {
			e.post(ElementRegistrationFailed, nil, err)
			sleep(ctx, huntPause)
			continue
		}
		e.serve(ctx, c)
	}
}

// serve registers at c now and again every interval, until c fails, stops
// answering, or ctx is done. A registrar that refuses the registration
// is asked again at the next interval: the refusal may be temporary (lack
// of resources) and another registrar would likely refuse it too.
func (e *Element) serve(ctx context.Context, c *registrarConn) {
	registered := false
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			if e.movedFrom.Load() == c {
				return // Reregister replaced it
			}
			e.post(ElementRegistrarLost, c, c.err)
			e.regs.drop(c, "lost")
			return
		case <-t.C:
		}
		err := e.register(ctx, c)
		var refused *OperationError
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &refused):
			e.post(ElementRegistrationFailed, c, err)
		case err != nil && e.movedFrom.Load() == c:
			return // replaced while the request was under way
		case err != nil:
			e.post(ElementRegistrarLost, c, err)
			e.regs.drop(c, "no answer to registration")
			return
		case registered:
			e.post(ElementReregistered, c, nil)
		default:
			registered = true
			e.registered.Store(true)
			e.post(ElementRegistered, c, nil)
		}
		t.Reset(e.cfg.ReregInterval)
	}
}

// register sends a Registration to c and waits for the answer.
func (e *Element) register(ctx context.Context, c *registrarConn) error {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
	defer cancel()
	reg := &wire.Registration{Handle: e.cfg.Handle, Element: e.self()}
	b, err := c.request(ctx, reg, wire.ASAPRegistrationResponse, e.cfg.Handle)
	if err != nil {
		return err
	}
	var r wire.RegistrationResponse
	if err := decodeAnswer(b, wire.ASAPRegistration, &r); err != nil {
		return err
	}
	if r.Reject {
		return operationError(wire.ASAPRegistration, r.Error)
	}
	return nil
}

// self returns the Pool Element parameter that registers the element.
func (e *Element) self() wire.PoolElement {
	return wire.PoolElement{
		ID:      e.cfg.ID,
		RegLife: uint32(3 * e.cfg.ReregInterval / time.Millisecond),
		UserTransport: wire.Transport{
			Type:  wire.ParamSCTPTransport,
			Port:  e.ep.Port(),
			Use:   wire.DataPlusControl,
			Addrs: e.ep.LocalAddrs(),
		},
		Policy: e.cfg.Policy,
	}
}

// deregister removes the element from the pool, at the current registrar
// or, if it is gone, at another one: registrars share the handlespace.
func (e *Element) deregister(ctx context.Context) error {
	dereg := &wire.Deregistration{Handle: e.cfg.Handle, PEID: e.cfg.ID}
	b, err := e.regs.do(ctx, dereg, wire.ASAPDeregistrationResponse, e.cfg.Handle)
	if err != nil {
		return err
	}
	var r wire.DeregistrationResponse
	if err := decodeAnswer(b, wire.ASAPDeregistration, &r); err != nil {
		return err
	}
	if len(r.Error.Causes) > 0 {
		return operationError(wire.ASAPDeregistration, r.Error)
	}
	return nil
}

// keepAlive answers a registrar's Endpoint Keep-Alive for this element,
// and with the Home flag makes that registrar its home (see home). It runs
// on c's reader goroutine; the answer is queued, not awaited.
func (e *Element) keepAlive(c *registrarConn, m wire.ASAPMessage) {
	if m.Type() != wire.ASAPEndpointKeepAlive {
		return
	}
	var ka wire.EndpointKeepAlive
	if m.Decode(&ka) != nil || !bytes.Equal(ka.Handle, e.cfg.Handle) || (ka.PEID != 0 && ka.PEID != e.cfg.ID) {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.RequestTimeout)
	defer cancel()
	c.send(ctx, &wire.EndpointKeepAliveAck{Handle: e.cfg.Handle, PEID: e.cfg.ID})
	if ka.Home {
		e.home(c)
	}
}

func (e *Element) post(t ElementEventType, c *registrarConn, err error) {
	ev := ElementEvent{Type: t, Time: time.Now(), Err: err}
	if c != nil {
		ev.Registrar = c.remote
	}
	e.events.Post(ev)
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
