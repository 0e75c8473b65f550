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

// TestPostedBeforeC checks that events posted before the channel was
// first asked for arrive in order, and that a queue closed before then
// still closes its channel after them.
func TestPostedBeforeC(t *testing.T) {
	q := New[int](4)
	q.Post(1)
	q.Post(2)
	c := q.C()
	q.Post(3)
	q.Close()
	var got []int
	for e := range c {
		got = append(got, e)
	}
	if len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Errorf("got %v, want [1 2 3]", got)
	}
	if q.C() != c {
		t.Error("C returned another channel the second time")
	}
}
