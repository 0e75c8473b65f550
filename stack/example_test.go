package stack_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/mobisctp/mobisctp/stack"
)

// Two endpoints on loopback: one listens, the other dials, sends a message
// and shuts down; the listener reads the message and then io.EOF.
//
// SCTP runs over UDP: a server's zero Config listens on the standard UDP
// port 9899, which a zero Remote.UDPPort dials. Here, as in a test that
// must not depend on that port being free, the server takes an ephemeral
// UDP port and the client dials it.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	server, err := stack.Listen(stack.Config{Port: 5000, EphemeralUDPPort: true})
	if err != nil {
		panic(err)
	}
	defer server.Close()

	client, err := stack.NewEndpoint(stack.Config{}) // ephemeral ports
	if err != nil {
		panic(err)
	}
	defer client.Close()

	go func() {
		a, err := client.Dial(ctx, stack.Remote{
			Addrs:   []netip.Addr{netip.MustParseAddr("127.0.0.1")},
			Port:    5000,
			UDPPort: server.UDPPort(), // or 0 for 9899
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

// A stream is a net.Conn: io.Copy sends a file over it, and the peer's
// io.Copy ends when the association shuts down.
func ExampleAssociation_Stream() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	server, err := stack.ListenAddr("127.0.0.1:5001", stack.Config{EphemeralUDPPort: true})
	if err != nil {
		panic(err)
	}
	defer server.Close()
	client, err := stack.NewEndpoint(stack.Config{})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	opened, received := make(chan struct{}), make(chan string)
	go func() {
		a, err := server.Accept(ctx)
		if err != nil {
			panic(err)
		}
		var conn net.Conn
		if conn, err = a.Stream(0, 0); err != nil {
			panic(err)
		}
		close(opened) // before the association can end
		var b strings.Builder
		io.Copy(&b, conn) // until io.EOF
		received <- b.String()
	}()

	a, err := client.Dial(ctx, stack.Remote{Addrs: server.LocalAddrs(), Port: 5001, UDPPort: server.UDPPort()})
	if err != nil {
		panic(err)
	}
	s, err := a.Stream(0, 0)
	if err != nil {
		panic(err)
	}
	<-opened
	io.Copy(s, strings.NewReader(strings.Repeat("all work and no play\n", 1000)))
	a.Shutdown(ctx)
	text := <-received
	fmt.Println(len(text), "bytes,", strings.Count(text, "\n"), "lines")
	// Output:
	// 21000 bytes, 1000 lines
}

// RecvMsgFunc hands each message over where it lies, without a copy into
// a buffer of the reader's: here it is hashed in place until the peer
// shuts down.
func ExampleAssociation_RecvMsgFunc() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	server, err := stack.ListenAddr("127.0.0.1:5002", stack.Config{EphemeralUDPPort: true})
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
		a, err := client.Dial(ctx, stack.Remote{Addrs: server.LocalAddrs(), Port: 5002, UDPPort: server.UDPPort()})
		if err != nil {
			panic(err)
		}
		for i := range 100 {
			a.SendMsg(ctx, bytes.Repeat([]byte{byte(i)}, 8000), stack.SendInfo{})
		}
		a.Shutdown(ctx)
	}()

	a, err := server.Accept(ctx)
	if err != nil {
		panic(err)
	}
	h := sha256.New()
	messages := 0
	for {
		err := a.RecvMsgFunc(ctx, func(msg []byte, info stack.RecvInfo) {
			h.Write(msg) // msg must not be kept after the call
			messages++
		})
		if err != nil {
			fmt.Println(messages, "messages,", err)
			break
		}
	}
	fmt.Printf("sha256 %x...\n", h.Sum(nil)[:4])
	// Output:
	// 100 messages, EOF
	// sha256 2d0d4774...
}

// Multi-homing: the server listens on two addresses, the client names both
// and gets a path to each; the second takes over if the first fails.
// Endpoint.DialAddr does the same on the standard UDP port 9899; the
// Remote takes the server's ephemeral one.
func ExampleResolveRemote() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	server, err := stack.ListenAddr("127.0.0.1,127.0.0.2:5002", stack.Config{EphemeralUDPPort: true})
	if err != nil {
		panic(err)
	}
	defer server.Close()
	client, err := stack.NewEndpoint(stack.Config{})
	if err != nil {
		panic(err)
	}
	defer client.Close()

	r, err := stack.ResolveRemote(ctx, "127.0.0.1,127.0.0.2:5002")
	if err != nil {
		panic(err)
	}
	r.UDPPort = server.UDPPort()
	a, err := client.Dial(ctx, r)
	if err != nil {
		panic(err)
	}
	defer a.Close()
	for _, p := range a.Paths() {
		fmt.Println(p.Remote.Addr(), "primary:", p.Primary)
	}
	// Output:
	// 127.0.0.1 primary: true
	// 127.0.0.2 primary: false
}
