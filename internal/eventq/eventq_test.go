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

func TestSizeAtLeastOne(t *testing.T) {
	q := New[string](0)
	q.Post("a")
	q.Post("b")
	if e := <-q.C(); e != "b" {
		t.Errorf("got %q, want the newest", e)
	}
}
