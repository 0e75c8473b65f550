package main

import (
	"bytes"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mobisctp/mobisctp/rserpool/registrar"
	"github.com/mobisctp/mobisctp/rserpool/wire"
	"github.com/mobisctp/mobisctp/stack"
)

// TestRegistrarKeyFile checks that --key-file reaches the ENRP
// configuration and that bad files are refused before anything starts.
func TestRegistrarKeyFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "# site A\n\nenrp 000102030405060708090a0b0c0d0e0f10\n"+
		"element 5 101112131415161718191a1b1c1d1e1f video,audio\n  element 65535 202122232425262728292a2b2c2d2e2f\n")
	fs := newFlagSet(&env{stdout: io.Discard, stderr: io.Discard}, "registrar", "")
	var v registrarFlagValues
	v.register(fs)
	if err := fs.Parse([]string{"--key-file", good}); err != nil {
		t.Fatal(err)
	}
	if err := v.check(fs); err != nil {
		t.Fatal(err)
	}
	cfg := v.config(&env{stdout: io.Discard, stderr: io.Discard})
	if key := cfg.ENRP.Key; !bytes.Equal(key, []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10")) {
		t.Errorf("ENRP key %x", key)
	}
	wantKeys := []registrar.ElementKey{
		{ID: 5, Key: []byte("\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f"), Pools: []wire.PoolHandle{wire.PoolHandle("video"), wire.PoolHandle("audio")}},
		{ID: 65535, Key: []byte("\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f")},
	}
	if !reflect.DeepEqual(cfg.ElementKeys, wantKeys) {
		t.Errorf("element keys %+v, want %+v", cfg.ElementKeys, wantKeys)
	}
	for _, bad := range []string{
		filepath.Join(dir, "missing"),
		write("short", "enrp 0001\n"),
		write("nothex", "enrp secretsecretsecretsecret\n"),
		write("keyword", "pool 000102030405060708090a0b0c0d0e0f\n"),
		write("element-id-0", "element 0 000102030405060708090a0b0c0d0e0f\n"),
		write("element-id-big", "element 65536 000102030405060708090a0b0c0d0e0f\n"),
		write("element-id-twice", "element 3 000102030405060708090a0b0c0d0e0f\nelement 3 101112131415161718191a1b1c1d1e1f\n"),
		write("element-short", "element 3 0001\n"),
		write("element-no-key", "element 3\n"),
		write("element-empty-pool", "element 3 000102030405060708090a0b0c0d0e0f video,,audio\n"),
		write("element-extra", "element 3 000102030405060708090a0b0c0d0e0f video audio\n"),
	} {
		code, stdout, stderr := runArgs(t.Context(), "registrar", "--key-file", bad)
		if code != exitUsage || !strings.Contains(stderr, "--key-file") || stdout != "" {
			t.Errorf("%s: exit %d, stderr %q", filepath.Base(bad), code, stderr)
		}
		if name := filepath.Base(bad); name != "missing" && !strings.Contains(stderr, "line ") {
			t.Errorf("%s: the error does not name the line: %q", name, stderr)
		}
	}
}

// TestPEKeyFile registers pool elements with a registrar that has element
// keys: one signing with the key of its pool through pe --key-file is
// accepted, one without a key refused, hsdump needs none; key files that
// cannot work for the element are usage errors.
func TestPEKeyFile(t *testing.T) {
	key := []byte("\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f")
	r, err := registrar.Listen(registrar.Config{Endpoint: stack.Config{LocalAddrs: []netip.Addr{loopback4}, EphemeralUDPPort: true},
		ElementKeys: []registrar.ElementKey{{ID: 5, Key: key, Pools: []wire.PoolHandle{wire.PoolHandle("video")}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	reg := []string{"--registrar", fmt.Sprintf("127.0.0.1:%d", r.Port()), "--registrar-udp-port", fmt.Sprint(r.UDPPort())}
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "element 5 101112131415161718191a1b1c1d1e1f video\n")
	startPE(t, reg, "video", "--service", "echo", "--listen", "127.0.0.1:0", "--key-file", good)

	start(t, slices.Concat([]string{"pe", "--json", "--pool", "video", "--service", "echo", "--listen", "127.0.0.1:0"}, reg)...)
	for deadline := time.Now().Add(10 * time.Second); r.Stats().Refused.NoKey == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the element without a key was not refused: %+v", r.Stats().Refused)
		}
	}
	if st := r.Stats(); st.Elements != 1 {
		t.Errorf("%d elements registered, want the one with the key", st.Elements)
	}
	// Pool users and hsdump need no key.
	if code, stdout, stderr := runArgs(t.Context(), append([]string{"hsdump"}, reg...)...); code != exitOK || !strings.Contains(stdout, `pool "video"`) {
		t.Errorf("hsdump: exit %d\n%s%s", code, stdout, stderr)
	}

	for _, tc := range []struct{ file, pool, want string }{
		{good, "chat", "does not allow pool"},
		{write("two", "element 5 101112131415161718191a1b1c1d1e1f\nelement 6 101112131415161718191a1b1c1d1e1f\n"), "video", "found 2"},
		{write("none", "enrp 101112131415161718191a1b1c1d1e1f\n"), "video", "found 0"},
	} {
		code, _, stderr := runArgs(t.Context(), slices.Concat([]string{"pe", "--pool", tc.pool, "--service", "echo", "--key-file", tc.file}, reg)...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s, pool %s: exit %d, stderr %q; want a usage error with %q", filepath.Base(tc.file), tc.pool, code, stderr, tc.want)
		}
	}
}

// TestPUKeyFile checks pu --key-file: with a user key its registrar holds,
// pu resolves and talks to an element as without; a registrar without
// that key cannot prove itself, and pu says so.
func TestPUKeyFile(t *testing.T) {
	key := []byte("\x20\x21\x22\x23\x24\x25\x26\x27\x28\x29\x2a\x2b\x2c\x2d\x2e\x2f")
	listen := func(users []registrar.UserKey) []string {
		r, err := registrar.Listen(registrar.Config{Endpoint: stack.Config{LocalAddrs: []netip.Addr{loopback4}, EphemeralUDPPort: true}, UserKeys: users})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return []string{"--registrar", fmt.Sprintf("127.0.0.1:%d", r.Port()), "--registrar-udp-port", fmt.Sprint(r.UDPPort())}
	}
	keyed, plain := listen([]registrar.UserKey{{ID: 7, Key: key}}), listen(nil)
	file := filepath.Join(t.TempDir(), "user")
	if err := os.WriteFile(file, []byte("user 7 202122232425262728292a2b2c2d2e2f\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	startPE(t, keyed, "video", "--service", "echo", "--listen", "127.0.0.1:0")
	pu := slices.Concat([]string{"pu", "--pool", "video", "--count", "1", "--interval", "10ms", "--key-file", file})
	if code, stdout, stderr := runArgs(t.Context(), append(pu, keyed...)...); code != exitOK || !strings.Contains(stdout, "1 replies") {
		t.Errorf("pu with its key at a registrar holding it: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runArgs(t.Context(), append(pu, plain...)...); code == exitOK || !strings.Contains(stdout+stderr, "did not prove itself") {
		t.Errorf("pu with its key at a registrar without it: exit %d, want a failure saying the registrar did not prove itself\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := runArgs(t.Context(), "pu", "--pool", "video", "--key-file", file+"-missing", "--registrar", "127.0.0.1:1"); code != exitUsage || !strings.Contains(stderr, "--key-file") {
		t.Errorf("missing key file: exit %d, stderr %q; want a usage error naming --key-file", code, stderr)
	}
}
