package simstack

import (
	"fmt"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/stack"
)

// recorder is a Failer that keeps the failure instead of ending the test.
type recorder struct{ failed string }

func (r *recorder) Helper() {}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
}

func TestAwait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ch := make(chan int, 3)
		ch <- 1
		ch <- 2
		var r recorder
		got := Await(&r, ch, time.Second, "an even number", func(v int) bool { return v%2 == 0 })
		assert.Equal(t, 2, got)
		assert.Empty(t, r.failed)

		start := time.Now()
		Await(&r, ch, time.Second, "an even number", func(v int) bool { return v%2 == 0 })
		assert.Equal(t, "no an even number within 1s", r.failed)
		assert.Equal(t, time.Second, time.Since(start), "waited the limit in virtual time")

		close(ch)
		r.failed = ""
		Await(&r, ch, time.Second, "anything", func(int) bool { return true })
		assert.Equal(t, "closed before anything", r.failed)
	})
}

// Two endpoints configured by Config on simulated hosts associate and
// exchange a message.
func TestConfigConnects(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := simnet.New(1)
		defer n.Close()
		a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
		srv, err := stack.Listen(Config(n.AddHost("b", b), b, 5000))
		require.NoError(t, err)
		defer srv.Close()
		cli, err := stack.NewEndpoint(Config(n.AddHost("a", a), a, 5001))
		require.NoError(t, err)
		defer cli.Close()

		accepted := make(chan *stack.Association, 1)
		go func() {
			sa, err := srv.Accept(t.Context())
			if err == nil {
				accepted <- sa
			}
			close(accepted)
		}()
		ca, err := cli.Dial(t.Context(), stack.Remote{Addrs: []netip.Addr{b}, Port: 5000, UDPPort: 5000})
		require.NoError(t, err)
		require.NoError(t, ca.SendMsg(t.Context(), []byte("hello"), stack.SendInfo{}))
		sa := <-accepted
		require.NotNil(t, sa)
		buf := make([]byte, 16)
		k, _, err := sa.RecvMsg(t.Context(), buf)
		require.NoError(t, err)
		assert.Equal(t, "hello", string(buf[:k]))
	})
}
