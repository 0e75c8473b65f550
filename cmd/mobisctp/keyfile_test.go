package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	good := write("good", "# site A\n\nenrp 000102030405060708090a0b0c0d0e0f10\n")
	fs := newFlagSet(&env{stdout: io.Discard, stderr: io.Discard}, "registrar", "")
	var v registrarFlagValues
	v.register(fs)
	if err := fs.Parse([]string{"--key-file", good}); err != nil {
		t.Fatal(err)
	}
	if err := v.check(fs); err != nil {
		t.Fatal(err)
	}
	if key := v.config(&env{stdout: io.Discard, stderr: io.Discard}).ENRP.Key; !bytes.Equal(key, []byte("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10")) {
		t.Errorf("ENRP key %x", key)
	}
	for _, bad := range []string{
		filepath.Join(dir, "missing"),
		write("short", "enrp 0001\n"),
		write("nothex", "enrp secretsecretsecretsecret\n"),
		write("keyword", "pool 000102030405060708090a0b0c0d0e0f\n"),
	} {
		code, stdout, stderr := runArgs(t.Context(), "registrar", "--key-file", bad)
		if code != exitUsage || !strings.Contains(stderr, "--key-file") || stdout != "" {
			t.Errorf("%s: exit %d, stderr %q", filepath.Base(bad), code, stderr)
		}
	}
}
