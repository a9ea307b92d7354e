package cli

import (
	"fmt"
	"testing"
)

// TestBenchFieldQueries checks the comparisons search_field makes from
// sampled values: a value, above the median, below the tenth percentile,
// numbers ordered as numbers and dates by day; fields without a value
// make none.
func TestBenchFieldQueries(t *testing.T) {
	values := map[string][]any{
		"seats":   {10.0, 9.0, 100.0, 2.5, 7.0, 1.0, 3.0, 4.0, 5.0, 6.0, 8.0},
		"renewal": {"2026-03-01T00:00:00Z", "2026-01-15T00:00:00Z", "2026-02-01T00:00:00Z"},
		"empty":   nil,
	}
	want := []string{"renewal:2026-02-01", "renewal>2026-02-01", "renewal<2026-01-15",
		"seats:4", "seats>6", "seats<2.5"}
	if got := fieldQueries(values); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fieldQueries = %q, want %q", got, want)
	}
}
