package sqlstore

import "testing"

// TestInSize: lists are padded to a few lengths, never shorter than the
// list nor longer than inRows.
func TestInSize(t *testing.T) {
	sizes := map[int]bool{}
	for n := 1; n <= inRows; n++ {
		s := inSize(n)
		if s < n || s > inRows {
			t.Fatalf("inSize(%d) = %d", n, s)
		}
		sizes[s] = true
	}
	if len(sizes) != 10 { // 1, 2, 4, …, 256 and inRows
		t.Errorf("%d lengths for lists of 1 to %d ids, want 10", len(sizes), inRows)
	}
	for n, want := range map[int]int{1: 1, 3: 4, 17: 32, 256: 256, 257: inRows} {
		if got := inSize(n); got != want {
			t.Errorf("inSize(%d) = %d, want %d", n, got, want)
		}
	}
}
