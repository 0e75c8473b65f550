package fuzz

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// eventLog keeps the last events of a channel, for failure reports.
type eventLog struct {
	mu   sync.Mutex
	last []string
}

// eventLogLen is how many events a log keeps.
const eventLogLen = 16

// logEvents keeps the last events of ch, stamped with the (virtual) time
// they were read, until ch is closed; note, if not nil, sees each event.
func logEvents[E fmt.Stringer](ch <-chan E, note func(E)) *eventLog {
	l := &eventLog{}
	go func() {
		for e := range ch {
			if note != nil {
				note(e)
			}
			l.mu.Lock()
			l.last = append(l.last[max(0, len(l.last)-eventLogLen+1):], fmt.Sprintf("%s %v", time.Now().Format("04:05.000"), e))
			l.mu.Unlock()
		}
	}()
	return l
}

func (l *eventLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.last, "; ")
}
