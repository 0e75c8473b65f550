package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// -gomaxprocs reaches mobisctp's and udpperf's processes, and not pion's,
// which keeps Go's default.
func TestGOMAXPROCSPerImplementation(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"mobisctp", "pionperf", "udpperf"} {
		if err := os.WriteFile(filepath.Join(bin, tool), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, procs := range []int{0, 1} {
		cfg := config{bin: bin, impls: "ours,ours-nooffload,pion,udp-gso,udp", procs: procs}
		impls, cleanup, err := selectImpls(cfg, &report{})
		if err != nil {
			t.Fatal(err)
		}
		cleanup()
		for _, im := range impls {
			set := slices.Contains(im.env, "GOMAXPROCS=1")
			if want := procs == 1 && im.key != keyPion; set != want {
				t.Errorf("-gomaxprocs %d: %s has env %v", procs, im.name, im.env)
			}
		}
	}
}
