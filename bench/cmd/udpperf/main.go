// Command udpperf measures raw UDP on loopback: the ceiling for any SCTP
// stack that runs over UDP. The client sends datagrams of one size as fast
// as it can for a time, in batches through sendmmsg (default) or with one
// write per datagram (-batch 1), then a few empty datagrams that tell the
// server to stop. The server counts the datagrams that arrive, reading in
// batches through recvmmsg; it also stops after -idle without traffic, in
// case every end marker was lost.
//
//	udpperf server [-listen 127.0.0.1:0] [-buffer BYTES] [-idle DUR]
//	udpperf client -connect 127.0.0.1:PORT [-size BYTES] [-time DUR] [-batch N] [-buffer BYTES]
//
// Each prints one JSON object (measure.Result) on stdout when done; the
// server announces its UDP port on stderr first. Comparing the two shows
// how much the kernel dropped.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"os"
	"time"

	"github.com/mobisctp/mobisctp/bench/internal/measure"
	"golang.org/x/net/ipv4"
)

// endMarkers is how many empty datagrams the client sends at the end.
const endMarkers = 3

func main() {
	measure.Main("udpperf", map[string]measure.Mode{"server": server, "client": client})
}

// server counts datagrams until an empty one arrives or the sender has
// been quiet for -idle.
func server(fs *flag.FlagSet, args []string) (measure.Result, error) {
	var f measure.ServerFlags
	f.Register(fs)
	batch := fs.Int("batch", 64, "datagrams per recvmmsg")
	idle := fs.Duration("idle", time.Second, "stop after this long without a datagram, once one arrived")
	_ = fs.Parse(args) // ExitOnError
	conn, err := f.ListenUDP()
	if err != nil {
		return measure.Result{}, err
	}
	defer conn.Close()
	msgs := messages(max(*batch, 1), func() []byte { return make([]byte, 1<<16) })
	pc := ipv4.NewPacketConn(conn)
	var c measure.Counter
	for {
		if c.Started() {
			if err := conn.SetReadDeadline(time.Now().Add(*idle)); err != nil {
				return c.Result("server"), err
			}
		}
		n, err := pc.ReadBatch(msgs, 0)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return c.Result("server"), nil
		}
		if err != nil {
			return c.Result("server"), err
		}
		count, bytes, end := 0, 0, false
		for _, m := range msgs[:n] {
			if m.N == 0 {
				end = true
				break
			}
			count++
			bytes += m.N
		}
		if count > 0 {
			c.Add(count, bytes)
		}
		if end {
			return c.Result("server"), nil
		}
	}
}

// client sends for -time, then the end markers.
func client(fs *flag.FlagSet, args []string) (measure.Result, error) {
	var f measure.ClientFlags
	f.Register(fs)
	batch := fs.Int("batch", 64, "datagrams per sendmmsg (1: one write per datagram)")
	_ = fs.Parse(args) // ExitOnError
	conn, err := f.DialUDP()
	if err != nil {
		return measure.Result{}, err
	}
	defer conn.Close()
	payload := make([]byte, f.Size)
	send := func(context.Context) (int, error) {
		if _, err := conn.Write(payload); err != nil {
			return 0, err
		}
		return 1, nil
	}
	if *batch > 1 {
		msgs := messages(*batch, func() []byte { return payload })
		pc := ipv4.NewPacketConn(conn)
		send = func(context.Context) (int, error) { return pc.WriteBatch(msgs, 0) }
	}
	r, err := measure.SendFor(f.Time, f.Size, send)
	if err != nil {
		return r, fmt.Errorf("send: %w", err)
	}
	for range endMarkers {
		// The server may be gone after the first; later errors don't matter.
		_, _ = conn.Write(nil)
	}
	return r, nil
}

// messages returns n batch entries with one buffer each from buf.
func messages(n int, buf func() []byte) []ipv4.Message {
	ms := make([]ipv4.Message, n)
	for i := range ms {
		ms[i].Buffers = [][]byte{buf()}
	}
	return ms
}
