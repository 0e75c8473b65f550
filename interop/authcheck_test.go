package interop

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/internal/pcapng"
	"github.com/mobisctp/mobisctp/internal/tshark"
	"github.com/mobisctp/mobisctp/stack/auth"
	"github.com/mobisctp/mobisctp/stack/wire"
)

// mustAuth lists the chunk types that RFC 5061 sections 4.1.1 and 4.1.2
// allow only behind an AUTH chunk.
var mustAuth = []wire.ChunkType{wire.TypeAsconf, wire.TypeAsconfAck}

// checkASCONFAuth checks, in the capture of our endpoint (UDP port
// ourPort), that every ASCONF and ASCONF-ACK, both ways, follows an AUTH
// chunk whose HMAC, of algorithm hmac, verifies; tshark checks none of
// this. It returns how many of these chunks went each way.
func checkASCONFAuth(t *testing.T, file string, ourPort int, hmac wire.HMACID) map[flow]int {
	t.Helper()
	r := authCheck(t, file, ourPort)
	for _, p := range r.problems {
		t.Error(p)
	}
	t.Logf("AUTH checked for %s; HMAC %s sent, %s received",
		summary(r.counts), hmacName(r.hmacs[sent]), hmacName(r.hmacs[received]))
	for _, dir := range []direction{sent, received} {
		if r.hmacs[dir] != hmac {
			t.Errorf("AUTH chunks %v with HMAC %s, want %s", dir, hmacName(r.hmacs[dir]), hmacName(hmac))
		}
	}
	return r.counts
}

// authResult is what authCheck found.
type authResult struct {
	counts   map[flow]int              // ASCONF and ASCONF-ACK chunks
	hmacs    map[direction]wire.HMACID // of the AUTH chunks, each way
	problems []string                  // by frame, in capture order
}

// authCheck does the work of checkASCONFAuth, returning the problems.
//
// It does not rely on either side's AUTH state. It derives the
// association shared key (RFC 4895 section 6.1) from what the capture
// shows, the RANDOM, CHUNKS and HMAC-ALGO parameters of the INIT and INIT
// ACK, and from the empty endpoint-pair key with identifier 0, which both
// sides use when no key is configured. The capture must hold a single
// association.
func authCheck(tb testing.TB, file string, ourPort int) authResult {
	tb.Helper()
	frames := tshark.Decode(tb, file, []string{
		"-d", fmt.Sprintf("udp.port==%d,sctp", ourPort),
		"-Y", fmt.Sprintf("sctp.chunk_type in {%d, %d, %d, %d}", wire.TypeInit, wire.TypeInitAck, wire.TypeAsconf, wire.TypeAsconfAck),
	}, "frame.number", "udp.srcport", "udp.payload")

	type packet struct {
		frame string
		dir   direction
		pkt   wire.Packet
	}
	var pkts []packet
	params := map[direction]*auth.Params{} // by sender: from its INIT or INIT ACK
	for _, f := range frames {
		p := packet{frame: first(f, "frame.number"), dir: received}
		if first(f, "udp.srcport") == strconv.Itoa(ourPort) {
			p.dir = sent
		}
		b, err := hex.DecodeString(first(f, "udp.payload"))
		if err != nil {
			tb.Fatalf("frame %s: payload: %v", p.frame, err)
		}
		p.pkt = wire.Packet(b)
		it := p.pkt.Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			ps, err := handshakeParams(c)
			switch {
			case err != nil:
				tb.Fatalf("frame %s: %v %v: %v", p.frame, c.Type(), p.dir, err)
			case ps == nil:
				continue
			case params[p.dir] != nil:
				tb.Fatalf("frame %s: a second %v %v: the check needs a single association", p.frame, c.Type(), p.dir)
			}
			if params[p.dir], err = auth.ParseParams(ps); err != nil {
				tb.Fatalf("frame %s: AUTH parameters of the %v %v: %v", p.frame, c.Type(), p.dir, err)
			}
		}
		pkts = append(pkts, p)
	}
	if params[sent] == nil || params[received] == nil {
		tb.Fatalf("capture %s: no INIT and INIT ACK with AUTH parameters both ways", file)
	}
	// A session verifies as the receiver: its peer is the sender.
	keys := auth.NewKeyring()
	verifiers := map[direction]*auth.Session{
		sent:     auth.NewSession(params[received], params[sent], keys),
		received: auth.NewSession(params[sent], params[received], keys),
	}

	r := authResult{counts: map[flow]int{}, hmacs: map[direction]wire.HMACID{}}
	problem := func(p packet, format string, args ...any) {
		r.problems = append(r.problems, fmt.Sprintf("frame %s (%v): ", p.frame, p.dir)+fmt.Sprintf(format, args...))
	}
	for _, p := range pkts {
		authAt := -1 // offset of the packet's first AUTH chunk
		var found []wire.ChunkType
		it := p.pkt.Chunks()
		for c, ok := it.Next(); ok; c, ok = it.Next() {
			switch c.Type() {
			case wire.TypeAuth:
				if authAt < 0 {
					authAt = it.Offset()
					var a wire.Auth
					if a.Decode(c) == nil {
						r.hmacs[p.dir] = a.HMACID
					}
				}
			case wire.TypeAsconf, wire.TypeAsconfAck:
				found = append(found, c.Type())
				r.counts[flow{p.dir, c.Type()}]++
			}
		}
		switch {
		case it.Err() != nil:
			problem(p, "%v", it.Err())
			continue
		case len(found) == 0:
			continue // the INIT or INIT ACK
		}
		for _, typ := range mustAuth {
			if !p.pkt.AuthCovers(typ) {
				problem(p, "%v without an AUTH chunk before it", typ)
			}
		}
		if authAt < 0 {
			continue
		}
		if res := verifiers[p.dir].Verify(p.pkt[authAt:]); res != auth.Verified {
			problem(p, "AUTH chunk of %v: %v", found, res)
		}
	}
	return r
}

// handshakeParams returns the parameters of an INIT or INIT ACK chunk, and
// nil for other chunks.
func handshakeParams(c wire.Chunk) (wire.Params, error) {
	switch c.Type() {
	case wire.TypeInit:
		var init wire.Init
		err := init.Decode(c)
		return init.Params, err
	case wire.TypeInitAck:
		var ack wire.InitAck
		err := ack.Decode(c)
		return ack.Params, err
	}
	return nil, nil
}

// hmacName names an HMAC identifier of RFC 4895 section 3.3.
func hmacName(id wire.HMACID) string {
	switch id {
	case wire.HMACSHA1:
		return "SHA-1"
	case wire.HMACSHA256:
		return "SHA-256"
	}
	return fmt.Sprintf("identifier %d", id)
}

// TestAuthCheck runs the AUTH check of the ASCONF cases over a capture
// made up for it: it must accept ASCONF and ASCONF-ACK signed with the key
// that the INIT and INIT ACK imply, and report one whose HMAC does not
// match, one signed with another key, and one with no AUTH chunk at all.
func TestAuthCheck(t *testing.T) {
	const ourUDP, peerUDP = 9902, 9899
	ours, theirs := auth.NewParams(nil), auth.NewParams(nil)
	weSign := auth.NewSession(ours, theirs, auth.NewKeyring())
	peerSigns := auth.NewSession(theirs, ours, auth.NewKeyring())
	otherKey := auth.NewKeyring()
	otherKey.Set(0, []byte("not the empty key"))
	wrongKey := auth.NewSession(theirs, ours, otherKey)

	// packet returns an SCTP packet with chunks, behind an AUTH chunk
	// signed by s if it is not nil, and a good checksum.
	packet := func(s *auth.Session, chunks ...wire.ChunkValue) []byte {
		b := wire.Header{SrcPort: 5000, DstPort: 5001, VerificationTag: 1}.Append(nil)
		at := len(b)
		if s != nil {
			b = s.AppendAuth(b)
		}
		for _, c := range chunks {
			b = c.Append(b)
		}
		if s != nil {
			if err := s.Sign(b[at:]); err != nil {
				t.Fatal(err)
			}
		}
		wire.SetChecksum(b)
		return b
	}
	asconf := func(serial uint32) *wire.Asconf {
		return &wire.Asconf{Serial: serial, Address: loopback, Params: wire.AppendParam(nil,
			&wire.AddressRequestParam{Type: wire.ParamAddIP, CorrelationID: serial, Address: netip.MustParseAddr("127.0.0.2")})}
	}
	tampered := packet(peerSigns, &wire.AsconfAck{Serial: 2})
	tampered[len(tampered)-1] ^= 1 // the serial number's last byte, covered by the HMAC
	wire.SetChecksum(tampered)

	var (
		us   = netip.AddrPortFrom(loopback, ourUDP)
		peer = netip.AddrPortFrom(loopback, peerUDP)
	)
	records := []struct {
		dir direction
		pkt []byte
	}{
		{sent, packet(nil, &wire.Init{InitiateTag: 1, ARwnd: 1 << 16, OutStreams: 1, InStreams: 1, InitialTSN: 1, Params: ours.AppendTo(nil)})},
		{received, packet(nil, &wire.InitAck{InitiateTag: 2, ARwnd: 1 << 16, OutStreams: 1, InStreams: 1, InitialTSN: 1, Params: theirs.AppendTo(nil)})},
		{sent, packet(weSign, asconf(1))},                         // frame 3: good
		{received, packet(peerSigns, &wire.AsconfAck{Serial: 1})}, // 4: good
		{sent, packet(weSign, asconf(2))},                         // 5: good
		{received, tampered},                                      // 6: bad HMAC
		{received, packet(wrongKey, &wire.AsconfAck{Serial: 2})},  // 7: another key 0
		{received, packet(nil, &wire.AsconfAck{Serial: 2})},       // 8: no AUTH
	}
	file := filepath.Join(t.TempDir(), "made-up.pcapng")
	w, err := pcapng.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Unix(1, 0)
	for i, rec := range records {
		src, dst := us, peer
		if rec.dir == received {
			src, dst = peer, us
		}
		if err := w.WriteUDP(ts.Add(time.Duration(i)*time.Millisecond), src, dst, rec.pkt); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	r := authCheck(t, file, ourUDP)
	want := []string{
		"frame 6 (received): AUTH chunk of [ASCONF-ACK]: bad HMAC",
		"frame 7 (received): AUTH chunk of [ASCONF-ACK]: bad HMAC",
		"frame 8 (received): ASCONF-ACK without an AUTH chunk before it",
	}
	if !slices.Equal(r.problems, want) {
		t.Errorf("problems found:\n%s\nwant:\n%s", strings.Join(r.problems, "\n"), strings.Join(want, "\n"))
	}
	wantCounts := map[flow]int{{sent, wire.TypeAsconf}: 2, {received, wire.TypeAsconfAck}: 4}
	if summary(r.counts) != summary(wantCounts) {
		t.Errorf("counted %s, want %s", summary(r.counts), summary(wantCounts))
	}
}
