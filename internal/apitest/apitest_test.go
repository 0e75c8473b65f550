// Package apitest runs test/publicapi, a program of another module that
// uses only mobisctp's public API through a replace directive: what it
// needs must be importable from outside, and behave as documented.
package apitest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestPublicAPIFromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds another module")
	}
	cmd := exec.CommandContext(t.Context(), "go", "run", ".")
	cmd.Dir = "../../test/publicapi"
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("go run test/publicapi: %v\n%s", err, out)
	}
}
