package registrar

import (
	"fmt"
	"strconv"
)

// maxQuoted is the most of a peer's value (a pool handle) that a log line
// or an event's text quotes: a peer must not be able to write 60 KB lines
// into the operator's logs.
const maxQuoted = 64

// Quote returns s quoted for a log line; a string longer than 64 bytes is
// cut there, and its length said.
func Quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return fmt.Sprintf("%q... (%d bytes)", s[:maxQuoted], len(s))
}
