package directory

import (
	"slices"
	"strings"
	"time"
)

// TimeZone is one entry of the friendly time zone list (ActiveSupport names).
// Zendesk stores and shows these names in a user's time_zone, so we keep them
// verbatim and carry the IANA name alongside for the derived iana_time_zone.
type TimeZone struct {
	Name string // friendly name, e.g. "Eastern Time (US & Canada)"
	IANA string // e.g. "America/New_York"
}

// timeZones mirrors ActiveSupport::TimeZone::MAPPING as of current Rails
// (8.1 and main). The order is Rails' own (roughly by UTC offset, west to
// east) and is kept because the time zone listing endpoint returns entries in
// this order.
//
// Rails has been replacing obsolete IANA link names, which modern distros no
// longer ship by default: Greenland moved from America/Godthab to America/Nuuk
// in 8.1, and Kyiv and Rangoon from Europe/Kiev and Asia/Rangoon to
// Europe/Kyiv and Asia/Yangon after it. We use the new names throughout so
// every iana_time_zone we hand out loads on current systems; older Rails (and
// so possibly Zendesk) reports the old ones for those three zones.
var timeZones = [...]TimeZone{
	{"International Date Line West", "Etc/GMT+12"},
	{"Midway Island", "Pacific/Midway"},
	{"American Samoa", "Pacific/Pago_Pago"},
	{"Hawaii", "Pacific/Honolulu"},
	{"Alaska", "America/Juneau"},
	{"Pacific Time (US & Canada)", "America/Los_Angeles"},
	{"Tijuana", "America/Tijuana"},
	{"Mountain Time (US & Canada)", "America/Denver"},
	{"Arizona", "America/Phoenix"},
	{"Chihuahua", "America/Chihuahua"},
	{"Mazatlan", "America/Mazatlan"},
	{"Central Time (US & Canada)", "America/Chicago"},
	{"Saskatchewan", "America/Regina"},
	{"Guadalajara", "America/Mexico_City"},
	{"Mexico City", "America/Mexico_City"},
	{"Monterrey", "America/Monterrey"},
	{"Central America", "America/Guatemala"},
	{"Eastern Time (US & Canada)", "America/New_York"},
	{"Indiana (East)", "America/Indiana/Indianapolis"},
	{"Bogota", "America/Bogota"},
	{"Lima", "America/Lima"},
	{"Quito", "America/Lima"},
	{"Atlantic Time (Canada)", "America/Halifax"},
	{"Caracas", "America/Caracas"},
	{"La Paz", "America/La_Paz"},
	{"Santiago", "America/Santiago"},
	{"Newfoundland", "America/St_Johns"},
	{"Brasilia", "America/Sao_Paulo"},
	{"Buenos Aires", "America/Argentina/Buenos_Aires"},
	{"Montevideo", "America/Montevideo"},
	{"Georgetown", "America/Guyana"},
	{"Puerto Rico", "America/Puerto_Rico"},
	{"Greenland", "America/Nuuk"},
	{"Mid-Atlantic", "Atlantic/South_Georgia"},
	{"Azores", "Atlantic/Azores"},
	{"Cape Verde Is.", "Atlantic/Cape_Verde"},
	{"Dublin", "Europe/Dublin"},
	{"Edinburgh", "Europe/London"},
	{"Lisbon", "Europe/Lisbon"},
	{"London", "Europe/London"},
	{"Casablanca", "Africa/Casablanca"},
	{"Monrovia", "Africa/Monrovia"},
	{"UTC", "Etc/UTC"},
	{"Belgrade", "Europe/Belgrade"},
	{"Bratislava", "Europe/Bratislava"},
	{"Budapest", "Europe/Budapest"},
	{"Ljubljana", "Europe/Ljubljana"},
	{"Prague", "Europe/Prague"},
	{"Sarajevo", "Europe/Sarajevo"},
	{"Skopje", "Europe/Skopje"},
	{"Warsaw", "Europe/Warsaw"},
	{"Zagreb", "Europe/Zagreb"},
	{"Brussels", "Europe/Brussels"},
	{"Copenhagen", "Europe/Copenhagen"},
	{"Madrid", "Europe/Madrid"},
	{"Paris", "Europe/Paris"},
	{"Amsterdam", "Europe/Amsterdam"},
	{"Berlin", "Europe/Berlin"},
	{"Bern", "Europe/Zurich"},
	{"Zurich", "Europe/Zurich"},
	{"Rome", "Europe/Rome"},
	{"Stockholm", "Europe/Stockholm"},
	{"Vienna", "Europe/Vienna"},
	{"West Central Africa", "Africa/Algiers"},
	{"Bucharest", "Europe/Bucharest"},
	{"Cairo", "Africa/Cairo"},
	{"Helsinki", "Europe/Helsinki"},
	{"Kyiv", "Europe/Kyiv"},
	{"Riga", "Europe/Riga"},
	{"Sofia", "Europe/Sofia"},
	{"Tallinn", "Europe/Tallinn"},
	{"Vilnius", "Europe/Vilnius"},
	{"Athens", "Europe/Athens"},
	{"Istanbul", "Europe/Istanbul"},
	{"Minsk", "Europe/Minsk"},
	{"Jerusalem", "Asia/Jerusalem"},
	{"Harare", "Africa/Harare"},
	{"Pretoria", "Africa/Johannesburg"},
	{"Kaliningrad", "Europe/Kaliningrad"},
	{"Moscow", "Europe/Moscow"},
	{"St. Petersburg", "Europe/Moscow"},
	{"Volgograd", "Europe/Volgograd"},
	{"Samara", "Europe/Samara"},
	{"Kuwait", "Asia/Kuwait"},
	{"Riyadh", "Asia/Riyadh"},
	{"Nairobi", "Africa/Nairobi"},
	{"Baghdad", "Asia/Baghdad"},
	{"Tehran", "Asia/Tehran"},
	{"Abu Dhabi", "Asia/Muscat"},
	{"Muscat", "Asia/Muscat"},
	{"Baku", "Asia/Baku"},
	{"Tbilisi", "Asia/Tbilisi"},
	{"Yerevan", "Asia/Yerevan"},
	{"Kabul", "Asia/Kabul"},
	{"Ekaterinburg", "Asia/Yekaterinburg"},
	{"Islamabad", "Asia/Karachi"},
	{"Karachi", "Asia/Karachi"},
	{"Tashkent", "Asia/Tashkent"},
	{"Chennai", "Asia/Kolkata"},
	{"Kolkata", "Asia/Kolkata"},
	{"Mumbai", "Asia/Kolkata"},
	{"New Delhi", "Asia/Kolkata"},
	{"Kathmandu", "Asia/Kathmandu"},
	{"Astana", "Asia/Dhaka"},
	{"Dhaka", "Asia/Dhaka"},
	{"Sri Jayawardenepura", "Asia/Colombo"},
	{"Almaty", "Asia/Almaty"},
	{"Novosibirsk", "Asia/Novosibirsk"},
	{"Rangoon", "Asia/Yangon"},
	{"Bangkok", "Asia/Bangkok"},
	{"Hanoi", "Asia/Bangkok"},
	{"Jakarta", "Asia/Jakarta"},
	{"Krasnoyarsk", "Asia/Krasnoyarsk"},
	{"Beijing", "Asia/Shanghai"},
	{"Chongqing", "Asia/Chongqing"},
	{"Hong Kong", "Asia/Hong_Kong"},
	{"Urumqi", "Asia/Urumqi"},
	{"Kuala Lumpur", "Asia/Kuala_Lumpur"},
	{"Singapore", "Asia/Singapore"},
	{"Taipei", "Asia/Taipei"},
	{"Perth", "Australia/Perth"},
	{"Irkutsk", "Asia/Irkutsk"},
	{"Ulaanbaatar", "Asia/Ulaanbaatar"},
	{"Seoul", "Asia/Seoul"},
	{"Osaka", "Asia/Tokyo"},
	{"Sapporo", "Asia/Tokyo"},
	{"Tokyo", "Asia/Tokyo"},
	{"Yakutsk", "Asia/Yakutsk"},
	{"Darwin", "Australia/Darwin"},
	{"Adelaide", "Australia/Adelaide"},
	{"Canberra", "Australia/Melbourne"},
	{"Melbourne", "Australia/Melbourne"},
	{"Sydney", "Australia/Sydney"},
	{"Brisbane", "Australia/Brisbane"},
	{"Hobart", "Australia/Hobart"},
	{"Vladivostok", "Asia/Vladivostok"},
	{"Guam", "Pacific/Guam"},
	{"Port Moresby", "Pacific/Port_Moresby"},
	{"Magadan", "Asia/Magadan"},
	{"Srednekolymsk", "Asia/Srednekolymsk"},
	{"Solomon Is.", "Pacific/Guadalcanal"},
	{"New Caledonia", "Pacific/Noumea"},
	{"Fiji", "Pacific/Fiji"},
	{"Kamchatka", "Asia/Kamchatka"},
	{"Marshall Is.", "Pacific/Majuro"},
	{"Auckland", "Pacific/Auckland"},
	{"Wellington", "Pacific/Auckland"},
	{"Nuku'alofa", "Pacific/Tongatapu"},
	{"Tokelau Is.", "Pacific/Fakaofo"},
	{"Chatham Is.", "Pacific/Chatham"},
	{"Samoa", "Pacific/Apia"},
}

// timeZoneByLower indexes timeZones by lowercased friendly name, so that
// ResolveTimeZone can match case-insensitively without scanning the list.
var timeZoneByLower = func() map[string]TimeZone {
	m := make(map[string]TimeZone, len(timeZones))
	for _, tz := range timeZones {
		m[strings.ToLower(tz.Name)] = tz
	}
	return m
}()

// TimeZones returns the full friendly list, in Rails order (a copy; callers
// may not mutate the package data). The order is part of the API: the time
// zone listing endpoint returns entries exactly in this order, as Zendesk does.
func TimeZones() []TimeZone {
	return slices.Clone(timeZones[:])
}

// ResolveTimeZone accepts a friendly name (case-insensitive match, returned in
// canonical spelling) or an IANA name (validated with time.LoadLocation,
// case-sensitive as IANA is; returned as given, with itself as IANA name).
// Surrounding spaces are ignored. "" and "Local" are rejected: "Local" is
// Go's name for the server's own zone, not a zone a user can live in. "UTC"
// is a friendly name in Rails, so it resolves to ("UTC", "Etc/UTC").
//
// It returns the name to store (what the user sees as time_zone), the IANA
// name (iana_time_zone), and ok=false when the name is unknown.
func ResolveTimeZone(name string) (stored, iana string, ok bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", "", false
	}
	if tz, found := timeZoneByLower[strings.ToLower(name)]; found {
		return tz.Name, tz.IANA, true
	}
	if !plausibleIANAName(name) {
		return "", "", false
	}
	if _, err := time.LoadLocation(name); err != nil {
		return "", "", false
	}
	return name, name, true
}

// plausibleIANAName reports whether name may be handed to time.LoadLocation.
// LoadLocation reads files from the zoneinfo directory (and $ZONEINFO), so a
// user-supplied name must never look like a path that escapes it, and must
// not be "Local", which LoadLocation maps to the server's zone. IANA
// identifiers only use ASCII letters, digits and "/_-+", which also keeps out
// NUL bytes, spaces and dots.
func plausibleIANAName(name string) bool {
	if name == "Local" || strings.Contains(name, "..") ||
		strings.HasPrefix(name, "/") || strings.ContainsRune(name, '\\') {
		return false
	}
	for _, r := range name {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		case r == '/' || r == '_' || r == '-' || r == '+':
		default:
			return false
		}
	}
	return true
}
