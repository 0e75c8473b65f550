// Command publicapi checks, from outside the mobisctp module, that the
// public API does what its documentation says: zero-value configurations
// connect, a stream carries a file through io.Copy and ends in io.EOF when
// closed, AcceptStream takes the streams the peer opens, errors match
// their sentinels, a pcapng tap can be made. It prints "ok"
// and exits 0, or names the first failure and exits 1.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/mobisctp/mobisctp/pcapng"
	"github.com/mobisctp/mobisctp/rserpool/asap"
	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// The servers use loopback addresses of their own, so that their standard
// UDP port 9899 is free whatever else runs on 127.0.0.1.
var (
	serverAddr    = netip.MustParseAddr("127.0.0.2")
	registrarAddr = netip.MustParseAddr("127.0.0.3")
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, check := range []struct {
		name string
		run  func(context.Context) error
	}{
		{"stream copy", streamCopy},
		{"dial errors", dialErrors},
		{"empty pool", emptyPool},
		{"pcapng tap", tap},
	} {
		if err := check.run(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", check.name, err)
			os.Exit(1)
		}
	}
	fmt.Println("ok")
}

// streamCopy: a listener with only a port and a client with the zero
// Config meet on UDP port 9899; a megabyte goes through a stream with
// io.Copy, the server takes the stream with AcceptStream, and its io.Copy
// ends when the client closes the stream (a stream reset), while the
// association stays up.
func streamCopy(ctx context.Context) error {
	srv, err := stack.Listen(stack.Config{LocalAddrs: []netip.Addr{serverAddr}, Port: 5050})
	if err != nil {
		return err
	}
	defer srv.Close()
	cli, err := stack.NewEndpoint(stack.Config{})
	if err != nil {
		return err
	}
	defer cli.Close()
	a, err := cli.DialAddr(ctx, "127.0.0.2:5050")
	if err != nil {
		return err
	}
	b, err := srv.Accept(ctx)
	if err != nil {
		return err
	}
	file := make([]byte, 1<<20)
	rand.Read(file)
	got := make(chan []byte, 1)
	go func() {
		in, err := b.AcceptStream(ctx)
		if err != nil {
			got <- nil
			return
		}
		var buf bytes.Buffer
		io.Copy(&buf, in) // returns at io.EOF
		got <- buf.Bytes()
	}()
	s, err := a.Stream(1, 0)
	if err != nil {
		return err
	}
	if _, err := io.Copy(s, bytes.NewReader(file)); err != nil {
		return err
	}
	s.Close()
	if received := <-got; sha256.Sum256(received) != sha256.Sum256(file) {
		return fmt.Errorf("received %d bytes, not the %d sent", len(received), len(file))
	}
	if err := b.Err(); err != nil {
		return fmt.Errorf("the association ended: %v", err)
	}
	if _, err := s.Write([]byte("late")); !errors.Is(err, net.ErrClosed) {
		return fmt.Errorf("write after Close: %v, want net.ErrClosed", err)
	}
	if a.RemoteAddr() != netip.AddrPortFrom(serverAddr, 5050) || a.RemoteAddr() != b.LocalAddr() {
		return fmt.Errorf("RemoteAddr %v, the server's LocalAddr %v", a.RemoteAddr(), b.LocalAddr())
	}
	return a.Shutdown(ctx)
}

// dialErrors: a Dial nobody answers names the peer and matches its cause.
func dialErrors(ctx context.Context) error {
	fast, err := stack.NewEndpoint(stack.Config{RTOInitial: 10 * time.Millisecond, RTOMin: 10 * time.Millisecond,
		RTOMax: 20 * time.Millisecond, MaxInitRetrans: 1})
	if err != nil {
		return err
	}
	defer fast.Close()
	nobody := stack.Remote{Addrs: []netip.Addr{serverAddr}, Port: 5051}
	_, err = fast.Dial(ctx, nobody)
	var se *stack.Error
	if !errors.Is(err, stack.ErrHandshakeTimeout) || !errors.As(err, &se) || se.Port != 5051 {
		return fmt.Errorf("dial without a listener: %v, want ErrHandshakeTimeout in a *stack.Error", err)
	}
	zero, err := stack.NewEndpoint(stack.Config{})
	if err != nil {
		return err
	}
	defer zero.Close()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err = zero.Dial(short, nobody); !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("dial until a deadline: %v, want context.DeadlineExceeded", err)
	}
	return nil
}

// emptyPool: a registrar with the zero configuration on its own address,
// and a pool user that names it without ports; Connect to a pool nobody
// registered fails at once with ErrNoElement.
func emptyPool(ctx context.Context) error {
	r, err := registrar.Listen(registrar.Config{Endpoint: stack.Config{LocalAddrs: []netip.Addr{registrarAddr}}})
	if err != nil {
		return err
	}
	defer r.Close()
	ep, err := stack.NewEndpoint(stack.Config{})
	if err != nil {
		return err
	}
	defer ep.Close()
	u, err := asap.NewUser(ep, asap.UserConfig{Registrars: []stack.Remote{{Addrs: []netip.Addr{registrarAddr}, Port: registrar.DefaultPort}}})
	if err != nil {
		return err
	}
	defer u.Close()
	if _, err := u.Connect(ctx, wire.PoolHandle("NoSuchPool"), asap.SessionConfig{}); !errors.Is(err, asap.ErrNoElement) {
		return fmt.Errorf("Connect to an empty pool: %v, want asap.ErrNoElement", err)
	}
	return nil
}

// tap: a pcapng writer of the public package records an endpoint's
// packets.
func tap(ctx context.Context) error {
	var file bytes.Buffer
	w, err := pcapng.NewWriter(&file)
	if err != nil {
		return err
	}
	ep, err := stack.NewEndpoint(stack.Config{Tap: w, MaxInitRetrans: 1, RTOInitial: 10 * time.Millisecond,
		RTOMin: 10 * time.Millisecond, RTOMax: 10 * time.Millisecond})
	if err != nil {
		return err
	}
	ep.Dial(ctx, stack.Remote{Addrs: []netip.Addr{serverAddr}, Port: 5052}) // fails: nobody there
	ep.Close()
	header := file.Len()
	if err := w.Close(); err != nil {
		return err
	}
	if file.Len() <= header {
		return errors.New("the tap recorded no INIT")
	}
	return nil
}
