package zendesk

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// timeZone is an entry of /api/v2/time_zones.
type timeZone struct {
	TranslatedName  string `json:"translated_name"`
	Name            string `json:"name"`
	IANAName        string `json:"iana_name"`
	Offset          int    `json:"offset"` // minutes from UTC now, daylight saving included
	FormattedOffset string `json:"formatted_offset"`
	URL             string `json:"url"`
}

// timeZoneEntry renders tz with its offset at now, from Go's time zone
// database.
func (h *Handler) timeZoneEntry(r *http.Request, tz directory.TimeZone, now time.Time) (timeZone, error) {
	loc, err := time.LoadLocation(tz.IANA)
	if err != nil {
		return timeZone{}, fmt.Errorf("time zone %s: %w", tz.IANA, err)
	}
	_, seconds := now.In(loc).Zone()
	minutes := seconds / 60
	sign := '+'
	if minutes < 0 {
		sign = '-'
	}
	abs := max(minutes, -minutes)
	return timeZone{
		TranslatedName:  tz.Name,
		Name:            tz.Name,
		IANAName:        tz.IANA,
		Offset:          minutes,
		FormattedOffset: fmt.Sprintf("GMT%c%02d:%02d", sign, abs/60, abs%60),
		URL:             h.baseURL(r) + "/api/v2/time_zones/" + url.PathEscape(tz.Name) + ".json",
	}, nil
}

// listTimeZones serves GET /api/v2/time_zones: the friendly names a user's
// time_zone takes, in Rails' order, with their offsets now. No
// credentials are needed.
func (h *Handler) listTimeZones(w http.ResponseWriter, r *http.Request) error {
	now := h.svc.Now()
	zones := directory.TimeZones()
	out := make([]any, 0, len(zones))
	for _, tz := range zones {
		entry, err := h.timeZoneEntry(r, tz, now)
		if err != nil {
			return err
		}
		out = append(out, entry)
	}
	return writeList(w, "time_zones", out, offsetLinks{Count: int64(len(out))})
}

// showTimeZone serves GET /api/v2/time_zones/{name}, by friendly or IANA
// name.
func (h *Handler) showTimeZone(w http.ResponseWriter, r *http.Request) error {
	stored, iana, ok := directory.ResolveTimeZone(r.PathValue("name"))
	if !ok {
		return directory.ErrNotFound
	}
	entry, err := h.timeZoneEntry(r, directory.TimeZone{Name: stored, IANA: iana}, h.svc.Now())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"time_zone": entry})
	return nil
}
