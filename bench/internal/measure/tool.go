package measure

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"
)

// DefaultBuffer is the UDP socket buffer size the tools ask for: pion/sctp
// loses datagrams, and most of its throughput, with the OS default.
const DefaultBuffer = 4 << 20

// ReadyPattern matches the line a server prints on stderr once its socket
// is open; the submatch is its UDP port. It also matches the line of
// "mobisctp perf server".
var ReadyPattern = regexp.MustCompile(`UDP port (\d+)`)

// Mode is one mode of a tool. It registers its flags on fs, parses args
// with fs, runs and returns its result.
type Mode func(fs *flag.FlagSet, args []string) (Result, error)

// Main runs the mode of tool named by the first command-line argument and
// prints its Result as JSON on stdout. It exits with status 2 for a bad
// command line and 1 when the mode fails.
func Main(tool string, modes map[string]Mode) {
	names := make([]string, 0, len(modes))
	for name := range modes {
		names = append(names, name)
	}
	sort.Strings(names)
	if len(os.Args) < 2 || modes[os.Args[1]] == nil {
		fmt.Fprintf(os.Stderr, "usage: %s %s [flags]\n", tool, strings.Join(names, "|"))
		os.Exit(2)
	}
	name := os.Args[1]
	fs := flag.NewFlagSet(tool+" "+name, flag.ExitOnError)
	r, err := modes[name](fs, os.Args[2:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", fs.Name(), err)
		os.Exit(1)
	}
	if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", fs.Name(), err)
		os.Exit(1)
	}
}

// ServerFlags are the flags every server mode takes.
type ServerFlags struct {
	Listen string
	Buffer int
}

// Register adds the flags to fs.
func (f *ServerFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Listen, "listen", "127.0.0.1:0", "local UDP `address` (port 0: ephemeral)")
	fs.IntVar(&f.Buffer, "buffer", DefaultBuffer, "UDP socket receive and send buffer `bytes`")
}

// ListenUDP opens the server's socket and announces its port on stderr in
// the form of ReadyPattern.
func (f *ServerFlags) ListenUDP() (*net.UDPConn, error) {
	addr, err := f.Addr()
	if err != nil {
		return nil, err
	}
	c, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	if err := setBuffers(c, f.Buffer); err != nil {
		c.Close()
		return nil, err
	}
	Announce(c.LocalAddr().(*net.UDPAddr).AddrPort())
	return c, nil
}

// Addr returns the -listen address.
func (f *ServerFlags) Addr() (netip.AddrPort, error) {
	addr, err := net.ResolveUDPAddr("udp", f.Listen)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("-listen: %w", err)
	}
	ap := addr.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// Announce tells the harness on stderr, in the form of ReadyPattern, that
// the server's socket is open at local.
func Announce(local netip.AddrPort) {
	fmt.Fprintf(os.Stderr, "listening on %s, UDP port %d\n", local.Addr(), local.Port())
}

// ClientFlags are the flags every client mode takes.
type ClientFlags struct {
	Connect string
	Size    int
	Time    time.Duration
	Buffer  int
}

// Register adds the flags to fs.
func (f *ClientFlags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Connect, "connect", "", "the server's UDP `address` (required)")
	fs.IntVar(&f.Size, "size", 1000, "message size in `bytes`")
	fs.DurationVar(&f.Time, "time", 5*time.Second, "send for this `duration`")
	fs.IntVar(&f.Buffer, "buffer", DefaultBuffer, "UDP socket receive and send buffer `bytes`")
}

// Server checks the flags and returns the server's address.
func (f *ClientFlags) Server() (netip.AddrPort, error) {
	switch {
	case f.Connect == "":
		return netip.AddrPort{}, fmt.Errorf("-connect is required")
	case f.Size < 1 || f.Size > 65000:
		return netip.AddrPort{}, fmt.Errorf("-size %d: must be between 1 and 65000", f.Size)
	case f.Time <= 0:
		return netip.AddrPort{}, fmt.Errorf("-time %v: must be positive", f.Time)
	}
	addr, err := net.ResolveUDPAddr("udp", f.Connect)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("-connect: %w", err)
	}
	ap := addr.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), nil
}

// DialUDP checks the flags and opens a UDP socket connected to the server.
func (f *ClientFlags) DialUDP() (*net.UDPConn, error) {
	addr, err := f.Server()
	if err != nil {
		return nil, err
	}
	c, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(addr))
	if err != nil {
		return nil, err
	}
	if err := setBuffers(c, f.Buffer); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
