package serial

import "testing"

func TestLess32(t *testing.T) {
	cases := []struct {
		a, b uint32
		less bool
	}{
		{1, 2, true}, {2, 1, false}, {5, 5, false},
		{0xFFFFFFFF, 0, true}, {0, 0xFFFFFFFF, false},
		{0xFFFFFFF0, 0x10, true}, {0x10, 0xFFFFFFF0, false},
		{0, 1<<31 - 1, true}, {0, 1 << 31, false},
	}
	for _, c := range cases {
		if got := Less32(c.a, c.b); got != c.less {
			t.Errorf("Less32(%#x, %#x) = %v", c.a, c.b, got)
		}
		if got := LessEq32(c.a, c.b); got != (c.less || c.a == c.b) {
			t.Errorf("LessEq32(%#x, %#x) = %v", c.a, c.b, got)
		}
	}
	if Max32(0xFFFFFFFE, 3) != 3 || Max32(3, 2) != 3 {
		t.Error("Max32")
	}
}

func TestLess16(t *testing.T) {
	if !Less16(0xFFFF, 0) || Less16(0, 0xFFFF) || Less16(7, 7) || !LessEq16(7, 7) || !Less16(1, 0x7FFF) || Less16(0, 0x8000) {
		t.Error("Less16")
	}
}
