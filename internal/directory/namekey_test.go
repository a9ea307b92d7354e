package directory

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNameKey(t *testing.T) {
	cases := map[string]string{
		"Top Ten":             "top ten",
		"  Élan   Vital\t":    "elan vital",
		"O'Brien-Smith":       "o'brien-smith",
		"ÅSA Øberg":           "asa øberg", // Ø is a letter of its own, not O with a mark
		"":                    "",
		"   ":                 "",
		"İstanbul Straße ΣΑΣ": "istanbul straße σασ", // the dot above is a mark
	}
	for in, want := range cases {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNamePrefix(t *testing.T) {
	cases := map[string]string{
		"ann":     "ann",
		"Ann ":    "ann ",
		" ann  ":  "ann ",
		"ANN  LE": "ann le",
		"  ":      "",
	}
	for in, want := range cases {
		if got := NamePrefix(in); got != want {
			t.Errorf("NamePrefix(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	cases := map[string]string{
		"ann":                    "ano",
		"an\U0010FFFF":           "ao",
		"\U0010FFFF":             "",
		"a\uD7FF":                "a\uE000",
		"":                       "",
		"é":                      "ê",
		"z":                      "{",
		"ab\U0010FFFF\U0010FFFF": "ac",
	}
	for in, want := range cases {
		if got := PrefixEnd(in); got != want {
			t.Errorf("PrefixEnd(%q) = %q, want %q", in, got, want)
		}
	}
	// Every key starting with the prefix falls inside the range, and the
	// neighbours outside it do not.
	prefix := "ann"
	end := PrefixEnd(prefix)
	for _, key := range []string{"ann", "anna", "ann lee", "ann\U0010FFFF", "annz"} {
		if !(key >= prefix && key < end) {
			t.Errorf("%q is outside [%q, %q)", key, prefix, end)
		}
	}
	for _, key := range []string{"anm", "ano", "an", "b", "am\U0010FFFF"} {
		if key >= prefix && key < end && !strings.HasPrefix(key, prefix) {
			t.Errorf("%q is inside [%q, %q)", key, prefix, end)
		}
	}
	if !utf8.ValidString(PrefixEnd("a\uD7FF")) {
		t.Error("PrefixEnd made invalid UTF-8 across the surrogates")
	}
}
