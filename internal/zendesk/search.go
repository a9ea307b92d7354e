package zendesk

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/clientele/clientele/internal/directory"
	"github.com/clientele/clientele/internal/search"
)

// Result limits of Zendesk's searches: the users search pages through
// 10,000 results, the general search through 1,000; the export has none.
const (
	maxUsersSearchResults = 10000
	maxSearchResults      = 1000
	maxExportPageSize     = 1000
	autocompleteLimit     = 100
)

// searchRoutes registers the search endpoints.
func (h *Handler) searchRoutes() {
	h.handle("GET /api/v2/users/search", h.searchUsers)
	h.handle("GET /api/v2/users/autocomplete", h.autocompleteUsers)
	h.handle("GET /api/v2/search", h.search)
	h.handle("GET /api/v2/search/count", h.countSearchResults)
	h.handle("GET /api/v2/search/export", h.exportSearchResults)
}

// errSearchLimit is Zendesk's answer past the last retrievable result,
// which zenpy turns into SearchResponseLimitExceeded.
var errSearchLimit = &apiError{status: http.StatusUnprocessableEntity, kind: "invalid",
	description: "Invalid search: Requested response size was greater than Search Response Limits"}

// parseQuery parses the query parameter with Zendesk's search syntax.
func (h *Handler) parseQuery(q url.Values) (directory.UserQuery, error) {
	text := q.Get("query")
	if strings.TrimSpace(text) == "" {
		return directory.UserQuery{}, badRequest("query is required")
	}
	uq, err := search.Parse(text, h.svc.Now())
	var se *search.Error
	if errors.As(err, &se) {
		return uq, badRequest("Invalid search query: %s", se.Error())
	}
	return uq, err
}

// offsetPage reads page and per_page for an offset-only endpoint, refusing
// pages past limit results with tooDeep.
func offsetPage(q url.Values, limit int, tooDeep error) (pageParams, error) {
	p := pageParams{}
	var err error
	if p.page, err = positiveInt(q, "page", 1); err != nil {
		return p, err
	}
	perPage, err := positiveInt(q, "per_page", maxPerPage)
	if err != nil {
		return p, err
	}
	p.size = min(perPage, maxPerPage)
	if p.page > limit || (p.page-1)*p.size >= limit {
		return p, tooDeep
	}
	return p, nil
}

// searchUsers serves GET /api/v2/users/search?query= or ?external_id=.
func (h *Handler) searchUsers(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := offsetPage(q, maxUsersSearchResults, badRequest(
		"A search returns at most %d users; narrow the query or use /api/v2/search/export", maxUsersSearchResults))
	if err != nil {
		return err
	}
	if id := q.Get("external_id"); id != "" && q.Get("query") == "" {
		// external_id takes no search syntax: it is one exact id.
		users, err := h.svc.ListUsers(r.Context(), a, directory.UserFilter{ExternalID: id}, directory.Page{Limit: p.size, Offset: (p.page - 1) * p.size})
		if err != nil {
			return err
		}
		return h.writeUsers(w, r, a, users, h.viewOf(r), offsetLinks{Count: int64(len(users))})
	}
	uq, err := h.parseQuery(q)
	if err != nil {
		return err
	}
	users, total, err := h.searchPage(r, a, uq, p)
	if err != nil {
		return err
	}
	return h.writeUsers(w, r, a, users, h.viewOf(r), h.linker(r).offsetWithin(p, total, maxUsersSearchResults))
}

// searchPage runs one offset page of a search and its exact count.
func (h *Handler) searchPage(r *http.Request, a directory.Actor, uq directory.UserQuery, p pageParams) ([]directory.User, int64, error) {
	users, err := h.svc.SearchUsers(r.Context(), a, uq, directory.SearchPage{Limit: p.size, Offset: (p.page - 1) * p.size})
	if err != nil {
		return nil, 0, err
	}
	total := int64(len(users))
	if p.page > 1 || len(users) == p.size {
		if total, err = h.svc.CountSearchUsers(r.Context(), a, uq); err != nil {
			return nil, 0, err
		}
	}
	return users, total, nil
}

// autocompleteUsers serves GET /api/v2/users/autocomplete?name=: users
// whose name starts with name (directory.NameKey), by name.
func (h *Handler) autocompleteUsers(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	name := r.URL.Query().Get("name")
	if strings.TrimSpace(name) == "" {
		return badRequest("name is required")
	}
	users, err := h.svc.AutocompleteUsers(r.Context(), a, name, autocompleteLimit)
	if err != nil {
		return err
	}
	return writeList(w, "users", h.userViews(r, users), nil)
}

// searchResults renders users among search results: each the full user
// object tagged with "result_type": "user", as Zendesk's clients dispatch
// on it.
func (h *Handler) searchResults(r *http.Request, users []directory.User) []any {
	out := make([]any, len(users))
	for i := range users {
		out[i] = userJSON{h: h, r: r, u: &users[i], resultType: true}
	}
	return out
}

// searchOrder applies sort_by and sort_order: Zendesk sorts by relevance
// unless told otherwise (Clientele's relevance is id order), and a sort
// field defaults to descending.
func searchOrder(q url.Values, uq *directory.UserQuery) error {
	switch by := q.Get("sort_by"); by {
	case "":
	case "created_at", "updated_at":
		uq.OrderBy, uq.Descending = by, true
	default:
		return badRequest("sort_by must be created_at or updated_at for users, got %q", by)
	}
	switch order := q.Get("sort_order"); order {
	case "":
	case "asc":
		uq.Descending = false
	case "desc":
		uq.Descending = true
	default:
		return badRequest("sort_order must be asc or desc, got %q", order)
	}
	return nil
}

// search serves GET /api/v2/search?query=: users among Zendesk's record
// types, with result_type.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := offsetPage(q, maxSearchResults, errSearchLimit)
	if err != nil {
		return err
	}
	uq, err := h.parseQuery(q)
	if err != nil {
		return err
	}
	if err := searchOrder(q, &uq); err != nil {
		return err
	}
	users, total, err := h.searchPage(r, a, uq, p)
	if err != nil {
		return err
	}
	links := h.linker(r).offsetWithin(p, total, maxSearchResults)
	return writeList(w, "results", h.searchResults(r, users), struct {
		Facets any `json:"facets"`
		offsetLinks
	}{nil, links})
}

// countSearchResults serves GET /api/v2/search/count?query=.
func (h *Handler) countSearchResults(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	uq, err := h.parseQuery(r.URL.Query())
	if err != nil {
		return err
	}
	n, err := h.svc.CountSearchUsers(r.Context(), a, uq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"count": n})
	return nil
}

// exportSearchResults serves GET /api/v2/search/export: every match, by
// cursor, without a result limit.
func (h *Handler) exportSearchResults(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	switch typ := q.Get("filter[type]"); typ {
	case "user":
	case "":
		return badRequest("filter[type] is required; Clientele exports users (filter[type]=user)")
	case "ticket", "organization", "group":
		_, links := cursorPage(h.linker(r), pageParams{cursor: true, size: 1}, []directory.User{}, userID)
		return writeList(w, "results", []any{}, exportLinks(links))
	default:
		return badRequest("filter[type] must be user, ticket, organization or group, got %q", typ)
	}
	size, err := positiveInt(q, "page[size]", maxPerPage)
	if err != nil {
		return err
	}
	p := pageParams{cursor: true, size: min(size, maxExportPageSize)}
	if q.Get("page[before]") != "" {
		return badRequest("The export pages forwards only: send page[after]")
	}
	if after := q.Get("page[after]"); after != "" {
		if p.after, err = decodeCursor(after, "id"); err != nil {
			return err
		}
	}
	uq, err := h.parseQuery(q)
	if err != nil {
		return err
	}
	if len(uq.Types) > 0 {
		return badRequest("The export takes its type from filter[type]; remove type: from the query")
	}
	// The export walks the matches by id, its cursor being the last id
	// sent: another order would repeat some users and skip others.
	// Zendesk's export has no sort either, so order_by: and sort: in the
	// query are left out rather than refused.
	uq.OrderBy, uq.Descending = "", false
	users, err := h.svc.SearchUsers(r.Context(), a, uq, directory.SearchPage{Limit: p.size + 1, AfterID: p.after})
	if err != nil {
		return err
	}
	rows, links := cursorPage(h.linker(r), p, users, userID)
	return writeList(w, "results", h.searchResults(r, rows), exportLinks(links))
}

func userID(u directory.User) int64 { return u.ID }

// exportLinks shapes cursor keys as the export sends them: no before
// cursor and no prev link, and facets null.
func exportLinks(c cursorLinks) any {
	c.Meta.BeforeCursor = nil
	c.Links.Prev = nil
	return struct {
		Facets any `json:"facets"`
		cursorLinks
	}{nil, c}
}

// offsetWithin is offset's keys for a list that stops at limit results:
// no next page past it.
func (l linker) offsetWithin(p pageParams, total int64, limit int) offsetLinks {
	out := l.offset(p, total)
	if p.page*p.size >= limit {
		out.NextPage = nil
	}
	return out
}
