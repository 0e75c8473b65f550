package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
)

// registrarKeys are the keys of a registrar's --key-file.
type registrarKeys struct {
	enrp     []byte                 // shared by the registrars, for ENRP (SCTP-AUTH)
	elements []registrar.ElementKey // pool elements register with these
}

// keyFileSyntax is what a key file line looks like, for error messages.
const keyFileSyntax = `"enrp HEXKEY" or "element ID HEXKEY [POOL,...]"`

// readKeyFile reads a key file: one key a line; blank lines and lines
// starting with # are skipped. "enrp HEXKEY" is the key the registrars
// share. "element ID HEXKEY [POOL,...]" is a key pool elements register
// with, under Shared Key Identifier ID (1 to 65535), for the pools listed
// (comma-separated handles, without spaces or commas in them) or, with no
// list, for every pool. With any element line, registrations without an
// element key allowing their pool are refused:
//
//	# registrars of site A
//	enrp 8f0c1d...
//	element 5 3b9a07... video,audio
//	element 6 c2e4f1...
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
		if err := keys.parseLine(strings.Fields(line)); err != nil {
			return keys, fmt.Errorf("--key-file %s, line %d: %w", name, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return keys, fmt.Errorf("--key-file %s: %w", name, err)
	}
	return keys, nil
}

// parseLine adds the key of one line, split into fields.
func (k *registrarKeys) parseLine(fields []string) error {
	switch {
	case fields[0] == "enrp" && len(fields) == 2:
		key, err := parseKey(fields[1])
		k.enrp = key
		return err
	case fields[0] == "element" && (len(fields) == 3 || len(fields) == 4):
		e, err := parseElementKey(fields[1:])
		if err != nil {
			return err
		}
		for _, other := range k.elements {
			if other.ID == e.ID {
				return fmt.Errorf("element key %d appears twice", e.ID)
			}
		}
		k.elements = append(k.elements, e)
		return nil
	}
	return fmt.Errorf("want %s", keyFileSyntax)
}

// parseElementKey parses "ID HEXKEY [POOL,...]".
func parseElementKey(fields []string) (registrar.ElementKey, error) {
	var e registrar.ElementKey
	id, err := strconv.ParseUint(fields[0], 10, 16)
	if err != nil || id == 0 {
		return e, fmt.Errorf("element key identifier %q: want 1 to 65535", fields[0])
	}
	e.ID = uint16(id)
	if e.Key, err = parseKey(fields[1]); err != nil {
		return e, err
	}
	if len(fields) == 3 {
		for p := range strings.SplitSeq(fields[2], ",") {
			if p == "" {
				return e, fmt.Errorf("empty pool handle in %q", fields[2])
			}
			e.Pools = append(e.Pools, wire.PoolHandle(p))
		}
	}
	return e, nil
}

// parseKey decodes a key in hex, which must be long enough not to be
// guessed.
func parseKey(s string) ([]byte, error) {
	key, err := hex.DecodeString(s)
	if err != nil || len(key) < registrar.MinKeyLen {
		return nil, fmt.Errorf("the key must be at least %d bytes in hex", registrar.MinKeyLen)
	}
	return key, nil
}

// readElementKey reads a pool element's --key-file: a key file as the
// registrar reads it, with exactly one element line, the key the element
// signs with. If that line lists pools, pool must be one of them, since
// the registrar would refuse the registration.
func readElementKey(name, pool string) (registrar.ElementKey, error) {
	keys, err := readKeyFile(name)
	if err != nil {
		return registrar.ElementKey{}, err
	}
	if len(keys.elements) != 1 {
		return registrar.ElementKey{}, fmt.Errorf("--key-file %s: want one \"element ID HEXKEY [POOL,...]\" line, found %d", name, len(keys.elements))
	}
	k := keys.elements[0]
	if !k.Allows([]byte(pool)) {
		return k, fmt.Errorf("--key-file %s: element key %d does not allow pool %q", name, k.ID, pool)
	}
	return k, nil
}
