package shrinkmap

import (
	"runtime"
	"testing"
)

// TestShrinks fills a map with a million entries, deletes all but a few,
// and checks that the memory comes back and the survivors stay.
func TestShrinks(t *testing.T) {
	const n = 1 << 18
	var m Map[int, *int]
	base := heap()
	for i := range n {
		m.Set(i, new(int))
	}
	peak := heap()
	for i := range n - 10 {
		m.Delete(i)
	}
	after := heap()
	t.Logf("heap: %d before, %d at the peak, %d after", base, peak, after)
	if grown := after - base; grown > (peak-base)/16 {
		t.Errorf("heap %d bytes above the start after deleting %d of %d entries (peak %d above)", grown, n-10, n, peak-base)
	}
	if m.Len() != 10 {
		t.Fatalf("%d entries left, want 10", m.Len())
	}
	for i := n - 10; i < n; i++ {
		if v, ok := m.Get(i); !ok || v == nil {
			t.Errorf("entry %d lost", i)
		}
	}
}

func heap() int64 {
	runtime.GC()
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	return int64(s.HeapAlloc)
}
