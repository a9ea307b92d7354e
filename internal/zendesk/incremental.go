package zendesk

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/clientele/clientele/internal/directory"
)

// incrementalRoutes registers the incremental user export.
func (h *Handler) incrementalRoutes() {
	h.handle("GET /api/v2/incremental/users", h.incrementalUsers)
	h.handle("GET /api/v2/incremental/users/sample", h.incrementalUsersSample)
	h.handle("GET /api/v2/incremental/users/cursor", h.incrementalUsersCursor)
}

// sampleSize is how many users the sample export returns, as Zendesk's.
const sampleSize = 50

// timeExport is a page of the time-based export.
type timeExport struct {
	Count       int     `json:"count"`
	EndOfStream bool    `json:"end_of_stream"`
	NextPage    *string `json:"next_page"`
	EndTime     int64   `json:"end_time"`
}

// cursorExport is a page of the cursor-based export.
type cursorExport struct {
	AfterURL     *string `json:"after_url"`
	BeforeURL    *string `json:"before_url"`
	AfterCursor  *string `json:"after_cursor"`
	BeforeCursor *string `json:"before_cursor"`
	EndOfStream  bool    `json:"end_of_stream"`
}

// exportCursor is an opaque export cursor, decoded.
type exportCursor struct {
	Time int64 `json:"t"`
	ID   int64 `json:"i"`
}

// startTime reads the required start_time, seconds since the epoch.
func startTime(q url.Values) (time.Time, error) {
	s := q.Get("start_time")
	if s == "" {
		return time.Time{}, badRequest("start_time is required: a Unix time in seconds")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return time.Time{}, badRequest("start_time must be a Unix time in seconds, got %q", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// exportPerPage reads per_page, at most directory.MaxIncrementalPage.
func exportPerPage(q url.Values) (int, error) {
	n, err := positiveInt(q, "per_page", directory.MaxIncrementalPage)
	return min(n, directory.MaxIncrementalPage), err
}

func (h *Handler) incrementalUsers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	perPage, err := exportPerPage(q)
	if err != nil {
		return err
	}
	return h.timeExport(w, r, perPage)
}

func (h *Handler) incrementalUsersSample(w http.ResponseWriter, r *http.Request) error {
	return h.timeExport(w, r, sampleSize)
}

// timeExport answers a page of the time-based export. end_time is the
// second after the page's last change (the page holds every user changed
// in that last second), so the next page repeats nobody.
func (h *Handler) timeExport(w http.ResponseWriter, r *http.Request, perPage int) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	start, err := startTime(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := h.svc.ExportUsersByTime(r.Context(), a, start, perPage)
	if err != nil {
		return err
	}
	end := page.Next.After.Unix()
	next := h.linker(r).with(map[string]string{"start_time": strconv.FormatInt(end, 10)})
	return h.writeUsers(w, r, a, page.Users, func(u *directory.User) any { return h.fullView(r, u) },
		timeExport{Count: len(page.Users), EndOfStream: page.EndOfStream, NextPage: next, EndTime: end})
}

// incrementalUsersCursor answers a page of the cursor-based export, which
// starts at start_time and goes on with cursor.
func (h *Handler) incrementalUsersCursor(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	perPage, err := exportPerPage(q)
	if err != nil {
		return err
	}
	var c directory.ExportCursor
	if s := q.Get("cursor"); s != "" {
		if c, err = decodeExportCursor(s); err != nil {
			return err
		}
	} else if c.After, err = startTime(q); err != nil {
		return badRequest("Send start_time (a Unix time in seconds) for the first page, then cursor")
	}
	page, err := h.svc.ExportUsersByCursor(r.Context(), a, c, perPage)
	if err != nil {
		return err
	}
	after := encodeExportCursor(page.Next)
	next := h.linker(r).with(map[string]string{"cursor": after}, "start_time")
	return h.writeUsers(w, r, a, page.Users, func(u *directory.User) any { return h.fullView(r, u) },
		cursorExport{AfterURL: next, AfterCursor: &after, EndOfStream: page.EndOfStream})
}

func encodeExportCursor(c directory.ExportCursor) string {
	b, _ := json.Marshal(exportCursor{Time: c.After.Unix(), ID: c.AfterID})
	return base64.URLEncoding.EncodeToString(b)
}

func decodeExportCursor(s string) (directory.ExportCursor, error) {
	var c exportCursor
	b, err := base64.URLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Time < 0 || c.ID < 0 {
		return directory.ExportCursor{}, badRequest("The cursor %q is not valid for this export", s)
	}
	return directory.ExportCursor{After: time.Unix(c.Time, 0).UTC(), AfterID: c.ID}, nil
}
