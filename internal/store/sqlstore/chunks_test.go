package sqlstore

import (
	"slices"
	"testing"
)

// TestCachedChunks: parts of 256, 128, …, 1 rows, largest first, that
// cover the input in order.
func TestCachedChunks(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []int
	}{
		{0, nil}, {1, []int{1}}, {3, []int{2, 1}}, {256, []int{256}}, {257, []int{256, 1}}, {600, []int{256, 256, 64, 16, 8}},
	} {
		xs := make([]int, tc.n)
		for i := range xs {
			xs[i] = i
		}
		var sizes, all []int
		for part := range cachedChunks(xs) {
			sizes = append(sizes, len(part))
			all = append(all, part...)
		}
		if !slices.Equal(sizes, tc.want) || !slices.Equal(all, xs) {
			t.Errorf("cachedChunks(%d) = sizes %v covering %d, want %v covering all in order", tc.n, sizes, len(all), tc.want)
		}
	}
}
