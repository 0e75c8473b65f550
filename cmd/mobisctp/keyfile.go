package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
)

// minKeyLen is the shortest key a key file may hold: 128 bits, so that a
// key cannot be guessed.
const minKeyLen = 16

// registrarKeys are the keys of a registrar's --key-file.
type registrarKeys struct {
	enrp []byte // shared by the registrars, for ENRP (SCTP-AUTH)
}

// readKeyFile reads a key file: one key a line, as a keyword and the key
// in hex; blank lines and lines starting with # are skipped. The only
// keyword so far is "enrp", the key the registrars share:
//
//	# registrars of site A
//	enrp 8f0c1d...
func readKeyFile(name string) (registrarKeys, error) {
	var keys registrarKeys
	b, err := os.ReadFile(name)
	if err != nil {
		return keys, fmt.Errorf("--key-file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 || fields[0] != "enrp" {
			return keys, fmt.Errorf("--key-file %s, line %d: want \"enrp HEXKEY\"", name, n)
		}
		key, err := hex.DecodeString(fields[1])
		if err != nil || len(key) < minKeyLen {
			return keys, fmt.Errorf("--key-file %s, line %d: the key must be at least %d bytes in hex", name, n, minKeyLen)
		}
		keys.enrp = key
	}
	return keys, sc.Err()
}
