package mobility

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestTimelineSVG records a transfer that stalls during a handover and
// plots it: the SVG holds the curve and a label for each event, and the
// longest stall is the handover's.
func TestTimelineSVG(t *testing.T) {
	tl := NewTimeline(epoch)
	at := func(d time.Duration) time.Time { return epoch.Add(d) }
	for d := 10 * time.Millisecond; d <= time.Second; d += 10 * time.Millisecond {
		tl.Delivered(at(d), 1000)
	}
	tl.Event(Event{Type: EventAddressLost, Time: at(time.Second)})
	tl.Event(Event{Type: EventAddressGained, Time: at(2 * time.Second)})
	tl.Event(Event{Type: EventPathConfirmed, Time: at(2100 * time.Millisecond)})
	tl.Event(Event{Type: EventFirstData, Time: at(2120 * time.Millisecond)})
	for d := 2120 * time.Millisecond; d <= 3*time.Second; d += 10 * time.Millisecond {
		tl.Delivered(at(d), 1000)
	}
	if from, length := tl.LongestStall(); from != time.Second || length != 1120*time.Millisecond {
		t.Errorf("longest stall %v from %v, want 1.12s from 1s", length, from)
	}
	var b bytes.Buffer
	if err := tl.WriteSVG(&b, "handover"); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	for _, want := range []string{"<svg", "handover", "address-lost", "first-data", "delivered (KiB)"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the SVG has no %q", want)
		}
	}
	if len(tl.Events()) != 4 {
		t.Errorf("%d events", len(tl.Events()))
	}
}
