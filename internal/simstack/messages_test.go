package simstack

import (
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckerAcceptsTheFlow: a receiver's checker takes a flow of numbered
// messages of any size, and its tally equals the sender's.
func TestCheckerAcceptsTheFlow(t *testing.T) {
	var sent Tally
	var c Checker
	assert.Equal(t, sha256.Sum256(nil), c.Sum(), "empty tally")
	for seq, size := range []int{0, 1, 200, 1500, 65535} {
		m := Message(seq, size)
		require.Len(t, m, MessageHeader+size)
		sent.Add(m)
		require.NoError(t, c.Check(m), "message %d", seq)
	}
	assert.Equal(t, 5, c.Count())
	assert.Equal(t, sent.Sum(), c.Sum())
}

// TestCheckerRefuses: a message out of order, twice, damaged, cut short
// or shorter than a header is refused with the reason and not counted.
func TestCheckerRefuses(t *testing.T) {
	damaged := Message(1, 20)
	damaged[10]++
	for _, tc := range []struct {
		name string
		msg  []byte
		want string
	}{
		{"twice", Message(0, 20), "message 0 arrived when message 1 was due"},
		{"skipped one", Message(2, 20), "message 2 arrived when message 1 was due"},
		{"damaged", damaged, "message 1 arrived damaged (26 bytes)"},
		{"cut short", Message(1, 20)[:20], "message 1 arrived damaged (20 bytes)"},
		{"no header", []byte{0, 0, 0, 1}, "a message of 4 bytes arrived when message 1 was due"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c Checker
			require.NoError(t, c.Check(Message(0, 20)))
			sum := c.Sum()
			assert.EqualError(t, c.Check(tc.msg), tc.want)
			assert.Equal(t, 1, c.Count())
			assert.Equal(t, sum, c.Sum())
			assert.NoError(t, c.Check(Message(1, 20)), "the right message after a refused one")
		})
	}
}
