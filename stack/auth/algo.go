package auth

import (
	"crypto/sha1"
	"crypto/sha256"
	"hash"

	"github.com/mobisctp/mobisctp/stack/wire"
)

// algo is an HMAC algorithm this package implements.
type algo struct {
	id      wire.HMACID
	size    int // length of the HMAC field
	newHash func() hash.Hash
}

// algos lists the supported algorithms in our order of preference, which
// is also the order of the HMAC-ALGO parameter we send.
var algos = [...]algo{
	{wire.HMACSHA256, sha256.Size, sha256.New},
	{wire.HMACSHA1, sha1.Size, sha1.New},
}

// maxHMACLen is the largest HMAC field of a supported algorithm.
const maxHMACLen = sha256.Size

// algoIndex returns the index in algos of the algorithm id, or -1.
func algoIndex(id wire.HMACID) int {
	for i := range algos {
		if algos[i].id == id {
			return i
		}
	}
	return -1
}

// chooseAlgo returns the index of the first algorithm of the peer's list
// that we implement, or -1 (RFC 4895 section 6.1: the receiver of an
// HMAC-ALGO parameter uses the first listed algorithm it supports, so each
// side sends with an algorithm the other side preferred).
func chooseAlgo(peer []wire.HMACID) int {
	for _, id := range peer {
		if i := algoIndex(id); i >= 0 {
			return i
		}
	}
	return -1
}
