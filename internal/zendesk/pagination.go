package zendesk

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

// Pagination limits, as in Zendesk: 100 records a page, and offset pages
// only within the first 10,000 records.
const (
	maxPerPage     = 100
	maxOffsetTotal = 10000
)

// pageParams is a parsed list request: cursor mode when page[size] was
// sent, offset mode otherwise.
type pageParams struct {
	cursor bool
	size   int
	// offset mode
	page int
	// cursor mode
	after, before int64
	descending    bool
}

// cursorValue is the decoded form of an opaque cursor, shaped like
// Zendesk's own: the order and the position.
type cursorValue struct {
	Order string `json:"o"`
	ID    int64  `json:"v"`
}

func encodeCursor(order string, id int64) string {
	b, _ := json.Marshal(cursorValue{Order: order, ID: id})
	return base64.URLEncoding.EncodeToString(b)
}

func decodeCursor(s, order string) (int64, error) {
	b, err := base64.URLEncoding.DecodeString(s)
	if err != nil {
		b, err = base64.StdEncoding.DecodeString(s)
	}
	var c cursorValue
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID <= 0 || c.Order != order {
		return 0, badRequest("The cursor %q is not valid for this list", s)
	}
	return c.ID, nil
}

// positiveInt parses a query parameter that must be a positive integer.
func positiveInt(q url.Values, key string, def int) (int, error) {
	s := q.Get(key)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, badRequest("%s must be a positive integer, got %q", key, s)
	}
	return n, nil
}

// parsePage reads page, per_page, page[size], page[after], page[before]
// and sort from the query.
func parsePage(q url.Values) (pageParams, error) {
	var p pageParams
	switch q.Get("sort") {
	case "", "id":
	case "-id":
		p.descending = true
	default:
		return p, badRequest("sort must be id or -id, got %q", q.Get("sort"))
	}
	if q.Get("sort_order") == "desc" {
		p.descending = true
	}
	if q.Has("page[size]") || q.Has("page[after]") || q.Has("page[before]") {
		p.cursor = true
		size, err := positiveInt(q, "page[size]", maxPerPage)
		if err != nil {
			return p, err
		}
		p.size = min(size, maxPerPage)
		order := "id"
		if p.descending {
			order = "-id"
		}
		if a, b := q.Get("page[after]"), q.Get("page[before]"); a != "" && b != "" {
			return p, badRequest("Send page[after] or page[before], not both")
		} else if a != "" {
			if p.after, err = decodeCursor(a, order); err != nil {
				return p, err
			}
		} else if b != "" {
			if p.before, err = decodeCursor(b, order); err != nil {
				return p, err
			}
		}
		return p, nil
	}
	var err error
	if p.page, err = positiveInt(q, "page", 1); err != nil {
		return p, err
	}
	perPage, err := positiveInt(q, "per_page", maxPerPage)
	if err != nil {
		return p, err
	}
	p.size = min(perPage, maxPerPage)
	// Multiply only after bounding page, so a huge page number cannot
	// overflow.
	if p.page > maxOffsetTotal || (p.page-1)*p.size >= maxOffsetTotal {
		return p, badRequest("Offset pagination is limited to the first %d records; use cursor pagination (page[size]) to go further", maxOffsetTotal)
	}
	return p, nil
}

// storePage is the directory.Page that fetches one more row than asked,
// to know whether more follow.
func (p pageParams) storePage() directory.Page {
	if p.cursor {
		return directory.Page{Limit: p.size + 1, AfterID: p.after, BeforeID: p.before, Descending: p.descending}
	}
	return directory.Page{Limit: p.size, Offset: (p.page - 1) * p.size, Descending: p.descending}
}

// offsetLinks are the keys of an offset-paginated list.
type offsetLinks struct {
	NextPage     *string `json:"next_page"`
	PreviousPage *string `json:"previous_page"`
	Count        int64   `json:"count"`
}

// cursorLinks are the keys of a cursor-paginated list: both meta and
// links, as Zendesk's Ruby client requires.
type cursorLinks struct {
	Meta struct {
		HasMore      bool    `json:"has_more"`
		AfterCursor  *string `json:"after_cursor"`
		BeforeCursor *string `json:"before_cursor"`
	} `json:"meta"`
	Links struct {
		Prev *string `json:"prev"`
		Next *string `json:"next"`
	} `json:"links"`
}

// linker builds absolute links to the current list, keeping its other
// query parameters and adding .json, as Zendesk's links do.
type linker struct {
	base  string // scheme://host
	path  string // without .json
	query url.Values
}

func (h *Handler) linker(r *http.Request) linker {
	return linker{base: h.baseURL(r), path: r.URL.Path, query: r.URL.Query()}
}

func (l linker) with(set map[string]string, drop ...string) *string {
	q := url.Values{}
	for k, v := range l.query {
		q[k] = v
	}
	for _, k := range drop {
		q.Del(k)
	}
	for k, v := range set {
		q.Set(k, v)
	}
	s := l.base + l.path + ".json"
	if len(q) > 0 {
		s += "?" + q.Encode()
	}
	return &s
}

// offset returns the offset keys for a page of n rows out of total.
func (l linker) offset(p pageParams, total int64) offsetLinks {
	out := offsetLinks{Count: total}
	if int64(p.page*p.size) < total && p.page*p.size < maxOffsetTotal {
		out.NextPage = l.with(map[string]string{"page": strconv.Itoa(p.page + 1)})
	}
	if p.page > 1 {
		out.PreviousPage = l.with(map[string]string{"page": strconv.Itoa(p.page - 1)})
	}
	return out
}

// cursorPage trims the extra row fetched by storePage and returns the
// cursor keys for the ids of the rows kept.
func cursorPage[T any](l linker, p pageParams, rows []T, id func(T) int64) ([]T, cursorLinks) {
	var out cursorLinks
	more := len(rows) > p.size
	if more {
		if p.before != 0 {
			rows = rows[1:] // a "before" page reads backwards: the extra row is the first
		} else {
			rows = rows[:p.size]
		}
	}
	if len(rows) == 0 {
		return rows, out
	}
	order := "id"
	if p.descending {
		order = "-id"
	}
	first, last := encodeCursor(order, id(rows[0])), encodeCursor(order, id(rows[len(rows)-1]))
	out.Meta.BeforeCursor, out.Meta.AfterCursor = &first, &last
	size := strconv.Itoa(p.size)
	drop := []string{"page[after]", "page[before]", "page", "per_page"}
	next := l.with(map[string]string{"page[after]": last, "page[size]": size}, drop...)
	prev := l.with(map[string]string{"page[before]": first, "page[size]": size}, drop...)
	switch {
	case p.before != 0:
		// Going backwards: what lies after is known to exist.
		out.Meta.HasMore = more
		out.Links.Next = next
		if more {
			out.Links.Prev = prev
		}
	default:
		out.Meta.HasMore = more
		if more {
			out.Links.Next = next
		}
		if p.after != 0 {
			out.Links.Prev = prev
		}
	}
	return rows, out
}
