package directory_test

import (
	"sync"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

func TestSearchWords(t *testing.T) {
	cases := map[string][]string{
		"Top Ten":              {"top", "ten"},
		"jane.doe@Example.com": {"jane", "doe", "example", "com"},
		"Élan Vital-Crème":     {"elan", "vital", "creme"},
		"+1 (555) 123-4567":    {"1", "555", "123", "4567"},
		"ÅNGSTRÖM ﬁne":         {"angstrom", "ﬁne"},
		"日本語 テキスト":             {"日本語", "テキスト"},
		"...":                  {},
	}
	for in, want := range cases {
		if diff := cmp.Diff(want, directory.SearchWords(in)); diff != "" {
			t.Errorf("SearchWords(%q) (-want +got):\n%s", in, diff)
		}
	}
}

// TestSearchWordsConcurrently folds accented words from many goroutines:
// a shared transform chain once panicked under this load.
func TestSearchWordsConcurrently(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 2000 {
				if got := directory.SearchWords("Élan Crème Brûlée"); len(got) != 3 || got[2] != "brulee" {
					t.Errorf("SearchWords = %v", got)
					return
				}
			}
		})
	}
	wg.Wait()
}
