package directory

import (
	"slices"
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
	at := func(y int, m time.Month, d, h int, loc *time.Location) time.Time {
		return time.Date(y, m, d, h, 0, 0, 0, loc)
	}
	day := utcDay(2019, 7, 23)
	cases := []struct {
		name  string
		field *UserField
		term  Term
		want  []Bound // nil: the term matches words
		bad   bool
	}{
		{"integer", number, Term{Field: "seats", Op: OpGT, Value: "12"}, []Bound{{">", 12}}, false},
		{"decimal comma", decimal, Term{Field: "score", Value: "4,5"}, []Bound{{"=", 4.5}}, false},
		{"not a number", number, Term{Field: "seats", Op: OpGT, Value: "many"}, nil, true},
		{"wildcard ordering", number, Term{Field: "seats", Op: OpGT, Value: "1*", Wildcard: true}, nil, true},
		{"wildcard words", number, Term{Field: "seats", Value: "1*", Wildcard: true}, nil, false},
		{"plain date in another zone", date, Term{Field: "since", Op: OpGT, Value: "2019-07-23",
			Time: at(2019, 7, 23, 0, kiritimati)}, []Bound{{">", day}}, false},
		{"day of a time with an offset", date, Term{Field: "since", Value: "2019-07-23T22:00:00-05:00",
			Time: at(2019, 7, 23, 0, time.FixedZone("", -5*3600))}, []Bound{{">=", day}, {"<", day + 86400}}, false},
		{"ordering on a time", date, Term{Field: "since", Op: OpLE, Value: "2019-07-23T10:00:00Z",
			Time: at(2019, 7, 23, 10, time.UTC)}, []Bound{{"<=", day + 10*3600}}, false},
		{"no date", date, Term{Field: "since", Op: OpLT, Value: "soon"}, nil, true},
		{"text words", text, Term{Field: "plan", Value: "gold"}, nil, false},
		{"text ordering", text, Term{Field: "plan", Op: OpGT, Value: "gold"}, nil, true},
	}
	for _, tc := range cases {
		got, err := numericTerm(tc.field, tc.term)
		if tc.bad {
			if KindOf(err) != KindBadRequest {
				t.Errorf("%s: error %v, want a bad request", tc.name, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got.Bounds, tc.want) {
			t.Errorf("%s: bounds %v, %v; want %v", tc.name, got.Bounds, err, tc.want)
		}
	}
}
