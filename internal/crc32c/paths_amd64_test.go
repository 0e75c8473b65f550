package crc32c

import "testing"

// eachPath runs f with the vector code on, where the CPU has it, and off,
// so that both the assembly and the fallback are checked.
func eachPath(t *testing.T, f func(t *testing.T)) {
	if !useVector {
		t.Log("vector code off (CPU, OS or GODEBUG=cpu.avx512f=off): only the fallback is tested")
	}
	saved := useVector
	t.Cleanup(func() { useVector = saved })
	if saved {
		t.Run("vector", f)
	}
	useVector = false
	t.Run("fallback", f)
}
