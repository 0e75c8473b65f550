package registrar

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/mobisctp/mobisctp/internal/simnet"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// A pool user that asks and never reads fills its association's send
// buffer at the registrar. The answers that do not fit wait on a
// goroutine of their own, not on the socket reader that delivers every
// association's requests (where sessions answer, see kick): other users
// are still answered meanwhile, and the stalled one gets every answer
// once it reads.
func TestUnreadAnswersStallOnlyTheirSession(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		cfg := Config{KeepAliveInterval: time.Hour}
		cfg.Endpoint.SendBuffer = 4096
		env := newSimEnv(t, cfg, simnet.LinkProps{Delay: time.Millisecond})
		pe := env.dial(env.host("pe", peAddr))
		pe.mustRegister("pool", element(1, roundRobin, peAddr))

		slow := env.dial(env.hostConfig("slow", stack.Config{RecvBuffer: 1500}, puAddr))
		const asked = 200 // answers of about 100 bytes: far more than 4096+1500
		for range asked {
			slow.send(&wire.HandleResolution{Handle: wire.PoolHandle("pool")})
		}
		time.Sleep(time.Second)
		synctest.Wait()

		fast := env.dial(env.host("fast", peAddr2))
		for range 10 {
			if got := fast.resolve("pool", 0).Elements; len(got) != 1 {
				t.Fatalf("answer with %d elements, want 1", len(got))
			}
		}
		for range asked {
			expect[wire.HandleResolutionResponse](slow)
		}
		if s := env.r.Stats(); s.Resolutions != asked+10 {
			t.Errorf("%d resolutions counted, want %d", s.Resolutions, asked+10)
		}
	})
}
