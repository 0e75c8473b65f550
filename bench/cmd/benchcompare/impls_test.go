package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// -gomaxprocs reaches mobisctp's and udpperf's processes, and not pion's,
// which keeps Go's default; with -pin, the processes it reaches run on
// CPUs of their own, where the machine has them.
func TestGOMAXPROCSPerImplementation(t *testing.T) {
	bin := t.TempDir()
	for _, tool := range []string{"mobisctp", "pionperf", "udpperf"} {
		if err := os.WriteFile(filepath.Join(bin, tool), nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := pinCPUs(1)
	canPin := err == nil // Linux, with 2 CPUs or more
	for _, procs := range []int{0, 1} {
		cfg := config{bin: bin, impls: "ours,ours-nooffload,pion,udp-gso,udp", procs: procs, pin: true}
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
			pinned := im.clientCPUs != nil && im.serverCPUs != nil
			if want := set && canPin; pinned != want {
				t.Errorf("-gomaxprocs %d: %s runs its client on %v and its server on %v", procs, im.name, im.clientCPUs, im.serverCPUs)
			}
			if pinned && slices.ContainsFunc(im.clientCPUs, func(c int) bool { return slices.Contains(im.serverCPUs, c) }) {
				t.Errorf("%s: client and server share a CPU: %v, %v", im.name, im.clientCPUs, im.serverCPUs)
			}
		}
	}
}
