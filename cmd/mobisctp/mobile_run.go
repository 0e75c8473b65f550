package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/mobisctp/mobisctp/mobility"
)

// runMobileNode starts the node, connects, runs the transfer while it
// prints the handover events, and prints the summary.
func runMobileNode(ctx context.Context, e *env, m *mobileFlags, out *reporter) error {
	tags := newTagWatch()
	n, err := mobility.NewNode(m.nodeConfig(e, tags))
	if err != nil {
		return err
	}
	tl := mobility.NewTimeline(out.start)
	var printers sync.WaitGroup
	defer func() {
		n.Close() // which closes the node's events: their printer ends
		printers.Wait()
	}()
	moves := &moveLog{}
	printers.Go(func() { printEvents(out, "node", n.Events(), tl, moves.note) })

	c, err := m.connect(ctx, n)
	if err != nil {
		return err
	}
	a := c.Association()
	lport, pport := n.Endpoint().Port(), a.PeerPort()
	_, before := tags.snapshot(lport, pport)
	out.event("connected", fmt.Sprintf("association with %v (peer %q), verification tags %08x", a.RemoteAddr(), c.PeerHandle(), before),
		map[string]any{"peer": a.RemoteAddr().String(), "peer_handle": string(c.PeerHandle()), "tags": before})
	moves.follow(c)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		printEvents(out, "association", c.Events(), tl, moves.note)
	}()

	t := newTransfer(m, c, tl, moves.delivered)
	xerr := t.run(ctx)
	<-printed // the association's events end with it
	s := t.summary(moves.stop(), xerr)
	s.TagsBefore = before
	s.Inits, s.TagsAfter = tags.snapshot(lport, pport)
	s.SameAssociation = sameAssociation(s.TagsBefore, s.TagsAfter, s.Inits)
	s.print(out)
	if m.plot != "" {
		if err := writePlot(tl, m.plot, plotTitle(t)); err != nil {
			return errors.Join(xerr, err)
		}
		out.event("plot", "timeline plot: "+m.plot, map[string]any{"file": m.plot})
	}
	return xerr
}

// printEvents prints the events of ch and puts them on the timeline,
// and gives each to note if it is set, until ch is closed.
func printEvents(out *reporter, who string, ch <-chan mobility.Event, tl *mobility.Timeline, note func(mobility.Event)) {
	for ev := range ch {
		tl.Event(ev)
		if note != nil {
			note(ev)
		}
		out.eventAt(ev.Time, ev.Type.String(), who+": "+ev.String(), eventFields(who, ev))
	}
}

func eventFields(who string, ev mobility.Event) map[string]any {
	f := map[string]any{"source": who}
	if ev.Addr.IsValid() {
		f["addr"] = ev.Addr.String()
	}
	if len(ev.Addrs) > 0 {
		f["addrs"] = addrStrings(ev.Addrs)
	}
	if ev.Since > 0 {
		f["since_ms"] = float64(ev.Since) / float64(time.Millisecond)
	}
	if len(ev.Handle) > 0 {
		f["handle"] = string(ev.Handle)
	}
	if ev.Err != nil {
		f["error"] = ev.Err.Error()
	}
	return f
}

func plotTitle(t *transfer) string {
	what := "received"
	if t.plotsSent() {
		what = "sent"
	}
	return fmt.Sprintf("mobisctp mobile --mode %s: bytes %s, handover events", t.m.mode, what)
}

func writePlot(tl *mobility.Timeline, path, title string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--plot: %w", err)
	}
	if err := tl.WriteSVG(f, title); err != nil {
		f.Close()
		return fmt.Errorf("--plot: %w", err)
	}
	return f.Close()
}
