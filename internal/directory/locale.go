package directory

import (
	"strings"

	"golang.org/x/text/language"
)

// Locale is a language a realm's users may choose. ID is the number sent as
// locale_id; 1 is en-US, as in Zendesk.
type Locale struct {
	ID  int
	Tag string // BCP-47, as returned in the user's locale
}

// localeTags lists the supported locales; a locale's id is its position
// plus one, so the list may only grow at its end. Zendesk's own ids beyond
// en-US = 1 are not published as a whole; these ids are Clientele's.
var localeTags = []string{
	"en-US", "es", "pt-BR", "de", "fr", "it", "nl", "ja", "zh-CN", "zh-TW",
	"ko", "ru", "pl", "sv", "da", "nb", "fi", "tr", "cs", "hu",
	"ro", "el", "he", "ar", "th", "id", "vi", "uk", "bg", "hr",
	"sk", "sl", "sr", "lt", "lv", "et", "ca", "eu", "gl", "is",
	"en-GB", "en-CA", "en-AU", "en-IE", "en-IN", "en-NZ", "es-ES", "es-419", "es-MX", "es-AR",
	"es-CL", "es-CO", "es-PE", "pt", "fr-CA", "de-AT", "de-CH", "fr-BE", "fr-CH", "nl-BE",
	"ms", "fil", "hi", "bn", "fa", "ur", "sw", "af", "ka", "hy",
	"pt-PT", "sr-Latn",
}

var (
	localeByTag   = map[string]Locale{}
	localeMatcher language.Matcher
	supportedTags []language.Tag
)

func init() {
	for i, t := range localeTags {
		tag := language.MustParse(t)
		supportedTags = append(supportedTags, tag)
		localeByTag[strings.ToLower(t)] = Locale{ID: i + 1, Tag: t}
	}
	localeMatcher = language.NewMatcher(supportedTags)
}

// Locales returns every supported locale, ordered by id.
func Locales() []Locale {
	out := make([]Locale, len(localeTags))
	for i, t := range localeTags {
		out[i] = Locale{ID: i + 1, Tag: t}
	}
	return out
}

// LocaleByID returns the locale with the given locale_id.
func LocaleByID(id int) (Locale, bool) {
	if id < 1 || id > len(localeTags) {
		return Locale{}, false
	}
	return Locale{ID: id, Tag: localeTags[id-1]}, true
}

// ResolveLocale parses a BCP-47 tag and returns the supported locale it
// names: an exact match ignoring case ("EN-us"), else the closest supported
// locale with the same base language ("es-CR" is served as "es-419" or
// "es"). A tag that is not BCP-47, or whose language is not supported, is
// rejected.
func ResolveLocale(s string) (Locale, bool) {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))
	if l, ok := localeByTag[strings.ToLower(s)]; ok {
		return l, true
	}
	tag, err := language.Parse(s)
	if err != nil {
		return Locale{}, false
	}
	_, index, conf := localeMatcher.Match(tag)
	if conf < language.High {
		return Locale{}, false
	}
	return Locale{ID: index + 1, Tag: localeTags[index]}, true
}
