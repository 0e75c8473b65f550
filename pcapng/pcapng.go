// Package pcapng records the UDP datagrams of SCTP over UDP in pcapng
// files that Wireshark and tshark open directly. Set a Writer as
// stack.Config.Tap (or encap.Config.Tap) to record every packet an
// endpoint sends and receives:
//
//	tap, err := pcapng.Create("trace.pcapng")
//	...
//	ep, err := stack.Listen(stack.Config{Port: 5001, Tap: tap})
//	...
//	ep.Close()
//	tap.Close() // after the endpoint: the endpoint does not close its tap
//
// Each datagram is stored as a raw IP packet with a synthesized IPv4 or IPv6
// and UDP header (correct lengths and checksums), so dissectors treat it
// like a captured one; no privileges or capture interface are needed.
// Wireshark decodes UDP port 9899 as SCTP; for other ports use "Decode
// As" or tshark's -d udp.port==PORT,sctp.
package pcapng

import (
	"io"

	"github.com/mobisctp/mobisctp/internal/pcapng"
)

// Writer writes UDP datagrams to a pcapng stream. It is safe for
// concurrent use and implements stack.Tap.
type Writer = pcapng.Writer

// Create creates (or truncates) the file at path; the Writer's Close
// flushes and closes it.
func Create(path string) (*Writer, error) { return pcapng.Create(path) }

// NewWriter writes the pcapng headers to w and returns a Writer that
// appends packets to it; Close flushes but does not close w.
func NewWriter(w io.Writer) (*Writer, error) { return pcapng.NewWriter(w) }
