package directory

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// NameKey is the form of a user's name that autocomplete compares, kept in
// the users' name_key column beside the name: lower case, accents removed
// ("Élan" and "elan" are one key), every run of white space one space and
// none at either end. Punctuation stays, so "o'b" completes "O'Brien".
// The stores answer "name starts with" as a range of this column, which
// an index holds in order, instead of a search through word tokens.
func NameKey(name string) string {
	return strings.Join(strings.Fields(foldName(name)), " ")
}

// NamePrefix is NameKey for what someone typed into an autocomplete box: a
// trailing space is kept, so "ann " completes "Ann Lee" but not "Anna".
func NamePrefix(typed string) string {
	key := NameKey(typed)
	if key != "" && strings.TrimRightFunc(typed, unicode.IsSpace) != typed {
		key += " "
	}
	return key
}

// PrefixEnd returns the least string greater than every string that starts
// with prefix, so that those strings are exactly the range
// [prefix, PrefixEnd(prefix)) in byte order, which is the order of UTF-8
// text in SQLite and in PostgreSQL's "C" collation. It increments the
// last code point (skipping the surrogates, which UTF-8 cannot hold), and
// drops it when it is already the last one. It returns "" for a prefix of
// only U+10FFFF, which has no bound: the range is then open above.
func PrefixEnd(prefix string) string {
	for prefix != "" {
		r, size := utf8.DecodeLastRuneInString(prefix)
		prefix = prefix[:len(prefix)-size]
		switch {
		case r == utf8.RuneError && size == 1:
			// Not UTF-8: the keys never hold such bytes; treat it as the
			// byte it is.
			continue
		case r == 0xD7FF:
			return prefix + string(rune(0xE000))
		case r < unicode.MaxRune:
			return prefix + string(r+1)
		}
	}
	return ""
}

// foldName lowercases s and removes its accents, keeping every other
// character: NameKey's folding, and SearchWords' before it splits words.
func foldName(s string) string {
	if !isASCII(s) {
		// One transform chain per call: a chain keeps state between calls.
		fold := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
		if f, _, err := transform.String(fold, s); err == nil {
			s = f
		}
	}
	return strings.ToLower(s)
}
