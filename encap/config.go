package encap

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"

	"github.com/pion/logging"
	"github.com/pion/transport/v5"
)

// DefaultPort is the IANA-assigned SCTP-over-UDP port (RFC 6951).
const DefaultPort = 9899

// Defaults for the zero values of Config fields.
const (
	defaultBufferSize  = 4 << 20 // socket buffers: the OS default (~208 KiB on Linux) drops bursts
	defaultMaxDatagram = 65535
	defaultBatchSize   = 32 // recvmmsg/sendmmsg beyond ~32 gains little and costs buffer memory
)

// Config describes the sockets of a Transport.
type Config struct {
	// Net is the network to bind on; nil means the host's network.
	Net transport.Net

	// Addrs are the local IP addresses to bind, one UDP socket each. At
	// least one is required; unspecified (wildcard) and multicast
	// addresses are not allowed, because sends select sockets by address.
	Addrs []netip.Addr

	// Port is the UDP port of all sockets. Zero picks an ephemeral port
	// with the first socket and binds the others to the same number.
	Port int

	// ReadBuffer and WriteBuffer are the socket buffer sizes to ask for;
	// zero means 4 MiB. Stats reports what the kernel granted.
	ReadBuffer, WriteBuffer int

	// MaxDatagram is the largest datagram accepted; longer ones are
	// counted and dropped. Zero means 65535. Every reader keeps
	// BatchSize buffers of MaxDatagram+1 bytes, at least 64 KiB with GRO.
	MaxDatagram int

	// BatchSize is the number of datagrams one system call may move, or,
	// with offload, of runs of datagrams and coalesced buffers. Zero means
	// 32; 1 disables batching, and with it offload.
	BatchSize int

	// NoOffload turns off UDP segmentation offload on send (GSO) and
	// receive offload (GRO), which Linux sockets of the host network use
	// by default where the kernel has them: tests use it to compare, and
	// it is a way out on a kernel or path that mishandles them.
	NoOffload bool

	// Tap, if set, records every datagram sent and received. The caller
	// keeps ownership: Close does not close it.
	Tap Tap

	// PacketTooBig, if set, receives the OS's reports that a datagram sent
	// was too big for its path (Linux: the socket error queue, turned on
	// with IP_RECVERR; elsewhere there are none). It is called on a
	// reader's or a sender's goroutine, so it must be quick and safe for
	// concurrent use, and must not call AddAddr, RemoveAddr or Close.
	PacketTooBig func(PacketTooBig)

	// Logger receives warnings and debug messages; nil discards them.
	Logger logging.LeveledLogger
}

// withDefaults validates c and returns a copy with zero values replaced by
// defaults and the addresses unmapped.
func (c Config) withDefaults() (Config, error) {
	if len(c.Addrs) == 0 {
		return c, errors.New("encap: Config.Addrs is empty")
	}
	if c.Port < 0 || c.Port > 0xFFFF {
		return c, fmt.Errorf("encap: port %d out of range", c.Port)
	}
	if c.ReadBuffer < 0 || c.WriteBuffer < 0 || c.MaxDatagram < 0 || c.BatchSize < 0 {
		return c, errors.New("encap: negative size in Config")
	}
	if c.MaxDatagram > defaultMaxDatagram {
		return c, fmt.Errorf("encap: MaxDatagram %d exceeds the largest UDP datagram", c.MaxDatagram)
	}
	addrs := make([]netip.Addr, len(c.Addrs))
	for i, a := range c.Addrs {
		a, err := checkAddr(a)
		if err != nil {
			return c, err
		}
		if slices.Contains(addrs[:i], a) {
			return c, fmt.Errorf("encap: %v appears twice in Config.Addrs", a)
		}
		addrs[i] = a
	}
	c.Addrs = addrs
	c.ReadBuffer = orDefault(c.ReadBuffer, defaultBufferSize)
	c.WriteBuffer = orDefault(c.WriteBuffer, defaultBufferSize)
	c.MaxDatagram = orDefault(c.MaxDatagram, defaultMaxDatagram)
	c.BatchSize = orDefault(c.BatchSize, defaultBatchSize)
	if c.Logger == nil {
		c.Logger = logging.NewDefaultLeveledLoggerForScope("encap", logging.LogLevelDisabled, io.Discard)
	}
	return c, nil
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// checkAddr returns a unmapped, or an error if no socket can be bound to
// it for sending with a definite source address.
func checkAddr(a netip.Addr) (netip.Addr, error) {
	a = a.Unmap()
	if !a.IsValid() || a.IsUnspecified() || a.IsMulticast() {
		return a, fmt.Errorf("encap: cannot bind a socket to local address %v", a)
	}
	return a, nil
}
