// Package testenv lets tests ask for tools and privileges the machine may
// lack. Outside CI such a test skips with a clear reason; in CI (CI=true) it
// fails, so a missing tool can never turn a CI run green by skipping.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// InCI reports whether the tests run in CI.
func InCI() bool { return os.Getenv("CI") == "true" }

// Unavailable stops the test because something it needs is missing: a skip
// locally, a failure in CI.
func Unavailable(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if InCI() {
		tb.Fatalf("required in CI: %s", msg)
	}
	tb.Skipf("skipped: %s (make test installs it as root)", msg)
}

// Tool returns the path of the named program, or stops the test.
func Tool(tb testing.TB, name string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Unavailable(tb, "%s not found in PATH", name)
	}
	return p
}

// File returns path if it exists, or stops the test.
func File(tb testing.TB, path, what string) string {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		Unavailable(tb, "%s (%s) not found", what, path)
	}
	return path
}

// Root stops the test unless it runs as root.
func Root(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		Unavailable(tb, "needs root")
	}
}
