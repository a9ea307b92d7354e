package directory

import (
	"testing"
	"time"
)

// TestNumericTerm checks how the Service reads a term on a custom field by
// the field's type: a number field's value as a number (a decimal comma as
// a point), a date field's as the Unix time of a day at midnight UTC
// (whatever the parse's time zone; a time with an offset names the day in
// that offset, as created: does) or, for an ordering on a time, that
// instant; other fields untouched, and what cannot be read refused.
func TestNumericTerm(t *testing.T) {
	kiritimati, err := time.LoadLocation("Pacific/Kiritimati") // UTC+14
	if err != nil {
		t.Fatal(err)
	}
	utcDay := func(y int, m time.Month, d int) float64 {
		return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix())
	}
	number := &UserField{Key: "seats", Type: FieldInteger}
	decimal := &UserField{Key: "score", Type: FieldDecimal}
	date := &UserField{Key: "since", Type: FieldDate}
	text := &UserField{Key: "plan", Type: FieldText}
	cases := []struct {
		name       string
		field      *UserField
		term       Term
		wantNumber float64
		wantSpan   float64
		numeric    bool
		bad        bool
	}{
		{"integer", number, Term{Field: "seats", Op: OpGT, Value: "12"}, 12, 0, true, false},
		{"decimal comma", decimal, Term{Field: "score", Value: "4,5"}, 4.5, 0, true, false},
		{"not a number", number, Term{Field: "seats", Op: OpGT, Value: "many"}, 0, 0, false, true},
		{"wildcard ordering", number, Term{Field: "seats", Op: OpGT, Value: "1*", Wildcard: true}, 0, 0, false, true},
		{"wildcard words", number, Term{Field: "seats", Value: "1*", Wildcard: true}, 0, 0, false, false},
		{"plain date in another zone", date, Term{Field: "since", Op: OpGT, Value: "2019-07-23",
			Time: time.Date(2019, 7, 23, 0, 0, 0, 0, kiritimati)}, utcDay(2019, 7, 23), 0, true, false},
		{"day of a time with an offset", date, Term{Field: "since", Value: "2019-07-23T22:00:00-05:00",
			Time: time.Date(2019, 7, 23, 0, 0, 0, 0, time.FixedZone("", -5*3600))}, utcDay(2019, 7, 23), 86400, true, false},
		{"ordering on a time", date, Term{Field: "since", Op: OpLT, Value: "2019-07-23T10:00:00Z",
			Time: time.Date(2019, 7, 23, 10, 0, 0, 0, time.UTC)}, float64(time.Date(2019, 7, 23, 10, 0, 0, 0, time.UTC).Unix()), 0, true, false},
		{"no date", date, Term{Field: "since", Op: OpLT, Value: "soon"}, 0, 0, false, true},
		{"text words", text, Term{Field: "plan", Value: "gold"}, 0, 0, false, false},
		{"text ordering", text, Term{Field: "plan", Op: OpGT, Value: "gold"}, 0, 0, false, true},
	}
	for _, tc := range cases {
		got, err := numericTerm(tc.field, tc.term)
		if tc.bad {
			if KindOf(err) != KindBadRequest {
				t.Errorf("%s: error %v, want a bad request", tc.name, err)
			}
			continue
		}
		if err != nil || got.Numeric != tc.numeric || got.Number != tc.wantNumber || got.Span != tc.wantSpan {
			t.Errorf("%s: %+v, %v; want numeric %v, number %v, span %v", tc.name, got, err, tc.numeric, tc.wantNumber, tc.wantSpan)
		}
	}
}
