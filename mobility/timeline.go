package mobility

import (
	"image/color"
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Timeline records a transfer over a mobile association: the bytes
// delivered over time and the handover events, to plot the one against
// the other. Its methods are safe for concurrent use.
type Timeline struct {
	mu      sync.Mutex
	start   time.Time
	total   int64
	samples []sample
	events  []Event
}

type sample struct {
	at    time.Duration // since start
	total int64         // bytes delivered up to then
}

// NewTimeline starts a timeline at start.
func NewTimeline(start time.Time) *Timeline { return &Timeline{start: start} }

// Delivered records n bytes delivered at now.
func (t *Timeline) Delivered(now time.Time, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.total += int64(n)
	t.samples = append(t.samples, sample{at: now.Sub(t.start), total: t.total})
}

// Event records a handover event.
func (t *Timeline) Event(e Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.events = append(t.events, e)
}

// Events returns the events recorded, in the order they came.
func (t *Timeline) Events() []Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.events)
}

// LongestStall returns the longest time without delivery between two
// deliveries, and when it began.
func (t *Timeline) LongestStall() (from, length time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := 1; i < len(t.samples); i++ {
		if d := t.samples[i].at - t.samples[i-1].at; d > length {
			from, length = t.samples[i-1].at, d
		}
	}
	return from, length
}

// WriteSVG plots the delivered bytes over time, with a labelled vertical
// line at each event, as an SVG image of 16 x 9 cm.
func (t *Timeline) WriteSVG(w io.Writer, title string) error {
	t.mu.Lock()
	p, err := t.plot(title)
	t.mu.Unlock()
	if err != nil {
		return err
	}
	wt, err := p.WriterTo(16*vg.Centimeter, 9*vg.Centimeter, "svg")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

func (t *Timeline) plot(title string) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = "delivered (KiB)"
	// A step curve: flat until the next delivery, so that a stall shows
	// as flat however far apart the deliveries around it are.
	xys := make(plotter.XYs, 0, 2*len(t.samples)+1)
	xys = append(xys, plotter.XY{})
	prev := 0.0
	for _, s := range t.samples {
		x, y := s.at.Seconds(), float64(s.total)/1024
		xys = append(xys, plotter.XY{X: x, Y: prev}, plotter.XY{X: x, Y: y})
		prev = y
	}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	line.Width = vg.Points(1.5)
	p.Add(line)
	top := math.Max(float64(t.total)/1024, 1)
	labels := plotter.XYLabels{}
	for i, e := range t.events {
		x := e.Time.Sub(t.start).Seconds()
		mark, err := plotter.NewLine(plotter.XYs{{X: x, Y: 0}, {X: x, Y: top}})
		if err != nil {
			return nil, err
		}
		mark.Color = eventColor(e.Type)
		mark.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(mark)
		// Events come in bursts: stagger the labels downwards so that
		// those of one burst do not overlap.
		labels.XYs = append(labels.XYs, plotter.XY{X: x, Y: top * (1 - 0.06*float64(i%12))})
		labels.Labels = append(labels.Labels, " "+e.Type.String())
	}
	if len(labels.Labels) > 0 {
		l, err := plotter.NewLabels(labels)
		if err != nil {
			return nil, err
		}
		for i := range l.TextStyle {
			l.TextStyle[i].Font.Size = vg.Points(7)
			l.TextStyle[i].Color = eventColor(t.events[i].Type)
		}
		p.Add(l)
	}
	return p, nil
}

// eventColor tells losses (red), the steps of re-attaching (blue) and
// recovery (green) apart.
func eventColor(t EventType) color.Color {
	switch t {
	case EventAddressLost, EventHandoverStarted, EventFallback:
		return color.RGBA{R: 200, A: 255}
	case EventPathConfirmed, EventFirstData:
		return color.RGBA{G: 150, A: 255}
	}
	return color.RGBA{B: 200, A: 255}
}
