package zendesk

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/clientele/clientele/internal/directory"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// locale is Zendesk's locale object.
type locale struct {
	ID               int    `json:"id"`
	URL              string `json:"url"`
	Locale           string `json:"locale"`
	Name             string `json:"name"`
	NativeName       string `json:"native_name"`
	PresentationName string `json:"presentation_name"`
	RTL              bool   `json:"rtl"`
	Default          bool   `json:"default"`
}

// rightToLeft are the scripts written right to left among the locales'.
var rightToLeft = map[language.Script]bool{
	language.MustParseScript("Arab"): true, language.MustParseScript("Hebr"): true,
}

// localeEntry renders l with its names from CLDR (golang.org/x/text).
func (h *Handler) localeEntry(r *http.Request, l directory.Locale) locale {
	tag := language.Make(l.Tag)
	script, _ := tag.Script()
	name := display.English.Tags().Name(tag)
	return locale{
		ID:               l.ID,
		URL:              h.baseURL(r) + "/api/v2/locales/" + l.Tag + ".json",
		Locale:           l.Tag,
		Name:             name,
		NativeName:       display.Self.Name(tag),
		PresentationName: name + " - " + l.Tag,
		RTL:              rightToLeft[script],
		Default:          l.ID == directory.DefaultLocaleID,
	}
}

// listLocales serves GET /api/v2/locales (and /locales/public and
// /locales/agent): every locale a user may have. No credentials needed.
func (h *Handler) listLocales(w http.ResponseWriter, r *http.Request) error {
	all := directory.Locales()
	out := make([]any, len(all))
	for i, l := range all {
		out[i] = h.localeEntry(r, l)
	}
	return writeList(w, "locales", out, offsetLinks{Count: int64(len(out))})
}

// showLocale serves GET /api/v2/locales/{id_or_code}.
func (h *Handler) showLocale(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("id")
	var l directory.Locale
	var ok bool
	if id, err := strconv.Atoi(key); err == nil {
		l, ok = directory.LocaleByID(id)
	} else {
		l, ok = directory.ResolveLocale(key)
	}
	if !ok {
		return directory.ErrNotFound
	}
	writeJSON(w, http.StatusOK, map[string]any{"locale": h.localeEntry(r, l)})
	return nil
}

// showCurrentLocale serves GET /api/v2/locales/current: the signed-in
// user's locale, or the best match of Accept-Language for anonymous
// callers.
func (h *Handler) showCurrentLocale(w http.ResponseWriter, r *http.Request) error {
	if p := principalOf(r); p != nil {
		l, _ := directory.LocaleByID(p.User.LocaleID)
		writeJSON(w, http.StatusOK, map[string]any{"locale": h.localeEntry(r, l)})
		return nil
	}
	return h.detectBestLocale(w, r)
}

// detectBestLocale serves GET /api/v2/locales/detect_best_locale: the
// supported locale that best matches the Accept-Language header (en-US
// when none does).
func (h *Handler) detectBestLocale(w http.ResponseWriter, r *http.Request) error {
	best, _ := directory.LocaleByID(directory.DefaultLocaleID)
	for _, t := range acceptedLanguages(r.Header.Get("Accept-Language")) {
		if l, ok := directory.ResolveLocale(t); ok {
			best = l
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"locale": h.localeEntry(r, best)})
	return nil
}

// acceptedLanguages returns the tags of an Accept-Language header, most
// wanted first. Unlike language.ParseAcceptLanguage it skips a tag it
// cannot read instead of rejecting the whole header.
func acceptedLanguages(header string) []string {
	type weighted struct {
		tag string
		q   float64
	}
	var list []weighted
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if tag == "" || tag == "*" || q <= 0 {
			continue
		}
		list = append(list, weighted{tag, q})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].q > list[j].q })
	out := make([]string, len(list))
	for i, w := range list {
		out[i] = w.tag
	}
	return out
}
