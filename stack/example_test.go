package stack_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// Two endpoints on loopback: one listens, the other dials, sends a message
// and shuts down; the listener reads the message and then io.EOF.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// The zero Config uses 127.0.0.1 and an ephemeral UDP port.
	server, err := stack.Listen(stack.Config{Port: 5000})
	if err != nil {
		panic(err)
	}
	defer server.Close()

	client, err := stack.NewEndpoint(stack.Config{})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	go func() {
		a, err := client.Dial(ctx, stack.Remote{
			Addrs:   []netip.Addr{netip.MustParseAddr("127.0.0.1")},
			Port:    5000,
			UDPPort: server.UDPPort(),
		})
		if err != nil {
			panic(err)
		}
		a.SendMsg(ctx, []byte("hello"), stack.SendInfo{Stream: 1, PPID: 42})
		a.Shutdown(ctx)
	}()

	a, err := server.Accept(ctx)
	if err != nil {
		panic(err)
	}
	buf := make([]byte, 100)
	n, info, err := a.RecvMsg(ctx, buf)
	fmt.Printf("%q on stream %d, PPID %d, complete %v, err %v\n", buf[:n], info.Stream, info.PPID, info.EOR, err)
	_, _, err = a.RecvMsg(ctx, buf)
	fmt.Println(err)
	// Output:
	// "hello" on stream 1, PPID 42, complete true, err <nil>
	// EOF
}
