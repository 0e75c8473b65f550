package idlemem

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"time"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// replyTimeout bounds the wait for each answer of the server.
const replyTimeout = 10 * time.Second

// Client plays the peers of many associations with one server over one
// UDP socket, each association from an SCTP port of its own. Besides
// what it is asked to send, it answers the server's HEARTBEATs, whenever
// it reads, as a live peer would: an idle association is one whose peer
// is there but quiet.
type Client struct {
	conn     *net.UDPConn
	to       *net.UDPAddr
	dstPort  uint16
	peerTags map[uint16]uint32 // the server's tag by client port, for HEARTBEAT ACKs
	buf      []byte
	out      []byte
}

// NewClient opens a client on 127.0.0.1 to the server at SCTP port
// sctpPort behind UDP address server, for up to n associations.
func NewClient(server netip.AddrPort, sctpPort uint16, n int) (*Client, error) {
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, to: net.UDPAddrFromAddrPort(server), dstPort: sctpPort,
		peerTags: make(map[uint16]uint32, n), // made whole here, so that it does not grow while measured
		buf:      make([]byte, 64<<10), out: make([]byte, 0, 1500)}, nil
}

// Close closes the client's socket; the server's associations stay.
func (c *Client) Close() error { return c.conn.Close() }

// Assoc is the client's side of one association: a few numbers.
type Assoc struct {
	port    uint16 // the client's SCTP port
	tag     uint32 // the client's verification tag
	peerTag uint32
	tsn     uint32 // the next TSN the client sends
	ssn     uint16 // the next SSN on stream 0
}

// Handshake sets up an association from SCTP port port.
func (c *Client) Handshake(port uint16) (Assoc, error) {
	a := Assoc{port: port, tag: 0x10000 + uint32(port), tsn: 1}
	c.send(a, &wire.Init{InitiateTag: a.tag, ARwnd: 1 << 20, OutStreams: 16, InStreams: 16, InitialTSN: a.tsn})
	var ack wire.InitAck
	err := c.receive(a, func(ch wire.Chunk) (bool, error) {
		return ch.Type() == wire.TypeInitAck, ack.Decode(ch)
	})
	if err != nil {
		return a, err
	}
	cookie, ok := ack.Params.Find(wire.ParamStateCookie)
	if !ok {
		return a, errors.New("INIT ACK without a state cookie")
	}
	a.peerTag = ack.InitiateTag
	c.peerTags[port] = a.peerTag
	c.send(a, &wire.CookieEcho{Cookie: bytes.Clone(cookie.Value())})
	return a, c.receive(a, func(ch wire.Chunk) (bool, error) { return ch.Type() == wire.TypeCookieAck, nil })
}

// Send sends msg on stream 0 in one DATA chunk that asks for an immediate
// SACK, and waits for that SACK. If answers is set, it also waits for the
// server's answer, one DATA chunk, and acknowledges it, so that the server
// is left with nothing outstanding.
func (c *Client) Send(a *Assoc, ppid uint32, msg []byte, answers bool) error {
	tsn := a.tsn
	c.send(*a, &wire.Data{Flags: wire.FlagBegin | wire.FlagEnd | wire.FlagImmediate,
		TSN: tsn, SSN: a.ssn, PPID: ppid, Payload: msg})
	a.tsn++
	a.ssn++
	acked, answered := false, !answers
	var answer wire.Data
	err := c.receive(*a, func(ch wire.Chunk) (bool, error) {
		switch ch.Type() {
		case wire.TypeSack:
			var s wire.Sack
			if err := s.Decode(ch); err != nil {
				return false, err
			}
			acked = acked || s.CumTSN == tsn
		case wire.TypeData:
			if err := answer.Decode(ch); err != nil {
				return false, err
			}
			answered = true
		}
		return acked && answered, nil
	})
	if err != nil || !answers {
		return err
	}
	c.send(*a, &wire.Sack{CumTSN: answer.TSN, ARwnd: 1 << 20})
	return nil
}

// send writes one packet with one chunk for association a.
func (c *Client) send(a Assoc, ch wire.ChunkValue) {
	tag := a.peerTag
	p := wire.Header{SrcPort: a.port, DstPort: c.dstPort, VerificationTag: tag}.Append(c.out[:0])
	p = ch.Append(p)
	wire.SetChecksum(p)
	// A lost datagram on loopback shows as a timeout in receive.
	_, _ = c.conn.WriteToUDP(p, c.to)
}

// Idle answers the server's HEARTBEATs for d.
func (c *Client) Idle(d time.Duration) error {
	if err := c.conn.SetReadDeadline(time.Now().Add(d)); err != nil {
		return err
	}
	for {
		if _, err := c.read(); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return nil
			}
			return err
		}
	}
}

// read reads one packet, answers the HEARTBEATs in it, and returns it.
func (c *Client) read() (wire.Packet, error) {
	for {
		n, _, err := c.conn.ReadFromUDP(c.buf)
		if err != nil {
			return nil, err
		}
		pkt, err := wire.ParsePacket(c.buf[:n])
		if err != nil {
			continue
		}
		for it := pkt.Chunks(); ; {
			ch, ok := it.Next()
			if !ok {
				break
			}
			var hb wire.Heartbeat
			if ch.Type() == wire.TypeHeartbeat && hb.Decode(ch) == nil {
				port := pkt.DstPort()
				c.send(Assoc{port: port, peerTag: c.peerTags[port]}, &wire.HeartbeatAck{Info: hb.Info})
			}
		}
		return pkt, nil
	}
}

// receive reads packets until done, given every chunk of the packets
// that belong to association a, says it has what it waited for. Packets
// of other associations are skipped, once their HEARTBEATs are answered.
func (c *Client) receive(a Assoc, done func(wire.Chunk) (bool, error)) error {
	if err := c.conn.SetReadDeadline(time.Now().Add(replyTimeout)); err != nil {
		return err
	}
	for {
		pkt, err := c.read()
		if err != nil {
			return fmt.Errorf("association from port %d: %w", a.port, err)
		}
		if pkt.DstPort() != a.port || pkt.VerificationTag() != a.tag {
			continue
		}
		for it := pkt.Chunks(); ; {
			ch, ok := it.Next()
			if !ok {
				break
			}
			if ch.Type() == wire.TypeAbort {
				return fmt.Errorf("association from port %d aborted", a.port)
			}
			if fin, err := done(ch); err != nil || fin {
				return err
			}
		}
	}
}
