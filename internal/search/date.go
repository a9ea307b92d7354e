package search

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// maxRelativeDigits bounds N in a relative time, so that N hours still
// fits a time.Duration (999999 hours is about 114 years). Larger spans of
// days or years are refused later, as out of range.
const maxRelativeDigits = 6

// relativeUnits maps the unit names of a relative time to the step that
// takes one unit off a time. Zendesk documents minutes, hours, days, weeks,
// months and years; the short forms are what people type. "m" could be
// minutes or months and is left out.
var relativeUnits = map[string]func(t time.Time, n int) time.Time{
	"minute": minusMinutes, "minutes": minusMinutes, "min": minusMinutes, "mins": minusMinutes,
	"hour": minusHours, "hours": minusHours, "h": minusHours, "hr": minusHours, "hrs": minusHours,
	"day": minusDays, "days": minusDays, "d": minusDays,
	"week": minusWeeks, "weeks": minusWeeks, "w": minusWeeks, "wk": minusWeeks, "wks": minusWeeks,
	"month": minusMonths, "months": minusMonths, "mo": minusMonths,
	"year": minusYears, "years": minusYears, "y": minusYears, "yr": minusYears, "yrs": minusYears,
}

func minusMinutes(t time.Time, n int) time.Time { return t.Add(-time.Duration(n) * time.Minute) }
func minusHours(t time.Time, n int) time.Time   { return t.Add(-time.Duration(n) * time.Hour) }
func minusDays(t time.Time, n int) time.Time    { return t.AddDate(0, 0, -n) }
func minusWeeks(t time.Time, n int) time.Time   { return t.AddDate(0, 0, -7*n) }
func minusMonths(t time.Time, n int) time.Time  { return t.AddDate(0, -n, 0) }
func minusYears(t time.Time, n int) time.Time   { return t.AddDate(-n, 0, 0) }

// errBadTime is the message for a value that is no date at all.
var errBadTime = errors.New("want a date (2022-01-01), a time (2022-01-01T10:00:00Z) or a relative time (2hours, 3days)")

// parseTime reads the value of a created or updated term, as Parse
// documents: with OpEq it returns the start of the day the value falls on.
func parseTime(val string, op directory.Op, now time.Time) (time.Time, error) {
	t, day, err := readTime(val, now)
	if err != nil {
		return time.Time{}, err
	}
	if op == directory.OpEq && !day {
		t = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	}
	// Stores keep times as RFC 3339 text or SQL timestamps: a year they
	// cannot write (0000, or 999999years ago) is refused here.
	if y := t.UTC().Year(); y < minYear || y > maxYear {
		return time.Time{}, fmt.Errorf("%q is out of range: dates run from year %d to %d", val, minYear, maxYear)
	}
	return t, nil
}

// The years a date may fall in, in UTC.
const (
	minYear = 1
	maxYear = 9999
)

// readTime returns the instant val names; day reports that it is already
// the start of a day (a plain date).
func readTime(val string, now time.Time) (t time.Time, day bool, err error) {
	if len(val) >= len("2006-01-02") && val[4] == '-' && val[7] == '-' {
		if len(val) == len("2006-01-02") {
			t, err := time.ParseInLocation(time.DateOnly, val, now.Location())
			if err != nil {
				return time.Time{}, false, fmt.Errorf("bad date %q: %w", val, errBadTime)
			}
			return t, true, nil
		}
		if val[10] == 'T' || val[10] == 't' {
			// RFC 3339 allows a lower-case t and z; Go's parser does not.
			t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(val))
			if err != nil {
				return time.Time{}, false, fmt.Errorf("bad time %q: want RFC 3339 with an offset, as 2022-01-01T10:00:00Z", val)
			}
			return t, false, nil
		}
		return time.Time{}, false, fmt.Errorf("bad date %q: %w", val, errBadTime)
	}

	digits := 0
	for digits < len(val) && val[digits] >= '0' && val[digits] <= '9' {
		digits++
	}
	if digits == 0 || digits == len(val) || !isLetter(val[digits]) {
		return time.Time{}, false, fmt.Errorf("bad date %q: %w", val, errBadTime)
	}
	minus, ok := relativeUnits[strings.ToLower(val[digits:])]
	if !ok {
		return time.Time{}, false, fmt.Errorf("unknown time unit %q: want minutes, hours, days, weeks, months or years", val[digits:])
	}
	if digits > maxRelativeDigits {
		return time.Time{}, false, fmt.Errorf("relative time %q too far back: at most %d digits", val, maxRelativeDigits)
	}
	n, err := strconv.Atoi(val[:digits])
	if err != nil { // cannot happen: at most six ASCII digits
		return time.Time{}, false, fmt.Errorf("bad number in %q", val)
	}
	return minus(now, n), false, nil
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
