package sqlite

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeTags checks the tags column's fast path against
// json.Unmarshal, for what json.Marshal writes and for text it would not.
func TestDecodeTags(t *testing.T) {
	for _, tags := range [][]string{
		{}, {""}, {"vip"}, {"vip", "beta", "churn_risk"}, {"ñandú", "日本"}, {`q"t`, `a","b`}, {"back\\slash"},
		{"<html>", "a&b"}, {"\x01ctl", "tab\t"}, {"\u2028"}, {"\xff"},
	} {
		text, err := json.Marshal(tags)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		if err := json.Unmarshal(text, &want); err != nil {
			t.Fatal(err)
		}
		got, err := decodeTags(string(text))
		if err != nil {
			t.Fatalf("decodeTags(%s): %v", text, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decodeTags(%s) (-json.Unmarshal +decodeTags):\n%s", text, diff)
		}
	}
	// Not json.Marshal's text, but JSON all the same: the slow path.
	for text, want := range map[string][]string{
		`[ "a", "b" ]`: {"a", "b"},
		`["a" ,"b"]`:   {"a", "b"},
		`null`:         {},
	} {
		got, err := decodeTags(text)
		if err != nil {
			t.Fatalf("decodeTags(%s): %v", text, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("decodeTags(%s) (-want +got):\n%s", text, diff)
		}
	}
	if _, err := decodeTags(`["a",`); err == nil {
		t.Error("decodeTags of broken JSON gave no error")
	}
}
