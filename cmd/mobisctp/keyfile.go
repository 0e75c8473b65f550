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
	"github.com/mobisctp/mobisctp/stack"
)

// registrarKeys are the keys of a registrar's --key-file.
type registrarKeys struct {
	enrp     []byte                 // shared by the registrars, for ENRP (SCTP-AUTH)
	elements []registrar.ElementKey // pool elements register with these
	users    []registrar.UserKey    // pool users may sign with these
}

// keyFileSyntax is what a key file line looks like, for error messages.
const keyFileSyntax = `"enrp HEXKEY", "element ID HEXKEY [POOL,...]" or "user ID HEXKEY"`

// readKeyFile reads a key file: one key a line; blank lines and lines
// starting with # are skipped. "enrp HEXKEY" is the key the registrars
// share. "element ID HEXKEY [POOL,...]" is a key pool elements register
// with, under Shared Key Identifier ID (1 to 65535), for the pools listed
// (comma-separated handles, without spaces or commas in them) or, with no
// list, for every pool. With any element line, registrations without an
// element key allowing their pool are refused. "user ID HEXKEY" is a key
// pool users may sign with, so that the registrar proves itself to them;
// it allows no registration. The registrar signs its answers with the
// key its peer signed with. Identifiers are unique across the file:
//
//	# registrars of site A
//	enrp 8f0c1d...
//	element 5 3b9a07... video,audio
//	element 6 c2e4f1...
//	user 7 94d0e2...
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
		if err == nil {
			err = k.unique(e.ID)
		}
		if err == nil {
			k.elements = append(k.elements, e)
		}
		return err
	case fields[0] == "user" && len(fields) == 3:
		id, err := parseKeyID(fields[1])
		var key []byte
		if err == nil {
			key, err = parseKey(fields[2])
		}
		if err == nil {
			err = k.unique(id)
		}
		if err == nil {
			k.users = append(k.users, registrar.UserKey{ID: id, Key: key})
		}
		return err
	}
	return fmt.Errorf("want %s", keyFileSyntax)
}

// unique reports an element or user key identifier used before.
func (k *registrarKeys) unique(id uint16) error {
	for _, e := range k.elements {
		if e.ID == id {
			return fmt.Errorf("key identifier %d appears twice", id)
		}
	}
	for _, u := range k.users {
		if u.ID == id {
			return fmt.Errorf("key identifier %d appears twice", id)
		}
	}
	return nil
}

// parseKeyID parses a Shared Key Identifier other than the empty key's.
func parseKeyID(s string) (uint16, error) {
	id, err := strconv.ParseUint(s, 10, 16)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("key identifier %q: want 1 to 65535", s)
	}
	return uint16(id), nil
}

// parseElementKey parses "ID HEXKEY [POOL,...]".
func parseElementKey(fields []string) (registrar.ElementKey, error) {
	var e registrar.ElementKey
	var err error
	if e.ID, err = parseKeyID(fields[0]); err != nil {
		return e, err
	}
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

// readUserKey reads a pool user's --key-file: a key file with exactly one
// user line, the key the user signs with and asks its registrars to prove
// themselves with.
func readUserKey(name string) (registrar.UserKey, error) {
	keys, err := readKeyFile(name)
	if err != nil {
		return registrar.UserKey{}, err
	}
	if len(keys.users) != 1 || len(keys.elements) != 0 {
		return registrar.UserKey{}, fmt.Errorf("--key-file %s: want one \"user ID HEXKEY\" line and no element line, found %d and %d", name, len(keys.users), len(keys.elements))
	}
	return keys.users[0], nil
}

// keyedEndpoint opens an endpoint from cfg with open. With a key (id not
// 0) the endpoint signs with it and asks its peers to authenticate DATA,
// so that registrars prove themselves by signing with the same key
// (asap's ElementConfig.KeyID and UserConfig.KeyID).
func keyedEndpoint(cfg stack.Config, id uint16, key []byte, open func(stack.Config) (*stack.Endpoint, error)) (*stack.Endpoint, error) {
	if id == 0 {
		return open(cfg)
	}
	ep, err := open(cfg.WithAuthenticatedData())
	if err != nil {
		return nil, err
	}
	ep.SetKey(id, key)
	if err := ep.ActivateKey(id); err != nil {
		ep.Close()
		return nil, err
	}
	return ep, nil
}
