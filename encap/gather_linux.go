//go:build !mobisctp_portable

package encap

// maxPieces is the most pieces a message may have, a datagram or a GSO
// run of them: Linux's UIO_MAXIOV, the most iovecs of one message.
const maxPieces = 1024

// appendPiece appends p to l, whose pieces from index first on are those
// of the message being gathered: it extends the last of those instead if
// p follows it in memory (packets laid out back to back in one buffer
// then go as one piece), and skips p if it is empty.
func appendPiece(l [][]byte, first int, p []byte) [][]byte {
	if len(p) == 0 {
		return l
	}
	if n := len(l); n > first {
		last := l[n-1]
		if rest := last[len(last):cap(last)]; len(rest) >= len(p) && &rest[0] == &p[0] {
			l[n-1] = last[:len(last)+len(p)]
			return l
		}
	}
	return append(l, p)
}

// appendPieces appends d's pieces to l, as appendPiece does.
func appendPieces(l [][]byte, first int, d *Datagram) [][]byte {
	l = appendPiece(l, first, d.Data)
	for _, p := range d.Rest {
		l = appendPiece(l, first, p)
	}
	return l
}
