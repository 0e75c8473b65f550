package eventq

import "testing"

func TestDropsOldest(t *testing.T) {
	q := New[int](3)
	for i := range 5 {
		q.Post(i)
	}
	if q.Dropped() != 2 {
		t.Errorf("dropped %d, want 2", q.Dropped())
	}
	q.Close()
	q.Post(99) // after Close: discarded, no panic
	var got []int
	for e := range q.C() {
		got = append(got, e)
	}
	if len(got) != 3 || got[0] != 2 || got[2] != 4 {
		t.Errorf("kept %v, want the newest three [2 3 4]", got)
	}
}

func TestDefaultSize(t *testing.T) {
	q := New[int](0)
	for i := range DefaultSize + 1 {
		q.Post(i)
	}
	if q.Dropped() != 1 || len(q.C()) != DefaultSize {
		t.Errorf("dropped %d, holding %d; want 1 and %d", q.Dropped(), len(q.C()), DefaultSize)
	}
}
