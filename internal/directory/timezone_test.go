package directory

import (
	"testing"
	"time"
	_ "time/tzdata" // the binary embeds tzdata; tests must not depend on the host's zoneinfo
)

func TestResolveTimeZone(t *testing.T) {
	tests := []struct {
		in         string
		wantStored string
		wantIANA   string
		wantOK     bool
	}{
		// Friendly (ActiveSupport) names, matched case-insensitively and
		// returned in canonical spelling.
		{"Berlin", "Berlin", "Europe/Berlin", true},
		{"berlin", "Berlin", "Europe/Berlin", true},
		{"BERLIN", "Berlin", "Europe/Berlin", true},
		{"  Berlin  ", "Berlin", "Europe/Berlin", true},
		{"Eastern Time (US & Canada)", "Eastern Time (US & Canada)", "America/New_York", true},
		{"eastern time (us & canada)", "Eastern Time (US & Canada)", "America/New_York", true},
		{"Osaka", "Osaka", "Asia/Tokyo", true},
		{"Alaska", "Alaska", "America/Juneau", true},
		{"American Samoa", "American Samoa", "Pacific/Pago_Pago", true},
		{"Samoa", "Samoa", "Pacific/Apia", true},
		{"Copenhagen", "Copenhagen", "Europe/Copenhagen", true},
		{"International Date Line West", "International Date Line West", "Etc/GMT+12", true},
		{"nuku'alofa", "Nuku'alofa", "Pacific/Tongatapu", true},
		{"Kyiv", "Kyiv", "Europe/Kyiv", true},
		{"Greenland", "Greenland", "America/Nuuk", true},
		{"Rangoon", "Rangoon", "Asia/Yangon", true},
		{"UTC", "UTC", "Etc/UTC", true},
		{"utc", "UTC", "Etc/UTC", true},

		// IANA names, accepted as given.
		{"America/New_York", "America/New_York", "America/New_York", true},
		{"America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires", true},
		{"Europe/Kyiv", "Europe/Kyiv", "Europe/Kyiv", true},
		{"Europe/Kiev", "Europe/Kiev", "Europe/Kiev", true}, // obsolete link, still valid IANA
		{"Etc/GMT-14", "Etc/GMT-14", "Etc/GMT-14", true},
		{" Asia/Kolkata ", "Asia/Kolkata", "Asia/Kolkata", true},

		// Unknown or unsafe.
		{"", "", "", false},
		{"   ", "", "", false},
		{"Local", "", "", false},
		{"Mars/Olympus", "", "", false},
		{"Berlin, Germany", "", "", false},
		{"../etc/passwd", "", "", false},
		{"America/../../etc/passwd", "", "", false},
		{"/etc/localtime", "", "", false},
		{`..\Windows`, "", "", false},
		{`America\New_York`, "", "", false},
		{"America/New_York\x00", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			stored, iana, ok := ResolveTimeZone(tt.in)
			if stored != tt.wantStored || iana != tt.wantIANA || ok != tt.wantOK {
				t.Errorf("ResolveTimeZone(%q) = (%q, %q, %v), want (%q, %q, %v)",
					tt.in, stored, iana, ok, tt.wantStored, tt.wantIANA, tt.wantOK)
			}
		})
	}
}

func TestTimeZonesList(t *testing.T) {
	zones := TimeZones()
	if len(zones) < 150 {
		t.Fatalf("TimeZones() has %d entries, want at least 150 (the full Rails mapping)", len(zones))
	}

	// Rails order: by UTC offset, from the date line westwards round to Samoa.
	if first := zones[0]; first != (TimeZone{"International Date Line West", "Etc/GMT+12"}) {
		t.Errorf("first entry = %+v, want International Date Line West", first)
	}
	if last := zones[len(zones)-1]; last != (TimeZone{"Samoa", "Pacific/Apia"}) {
		t.Errorf("last entry = %+v, want Samoa", last)
	}

	seen := make(map[string]bool, len(zones))
	for _, tz := range zones {
		if tz.Name == "" || tz.IANA == "" {
			t.Errorf("entry %+v has an empty field", tz)
			continue
		}
		if seen[tz.Name] {
			t.Errorf("duplicate name %q", tz.Name)
		}
		seen[tz.Name] = true
		if _, err := time.LoadLocation(tz.IANA); err != nil {
			t.Errorf("%q: time.LoadLocation(%q): %v", tz.Name, tz.IANA, err)
		}
		// Every listed name must resolve back to itself.
		stored, iana, ok := ResolveTimeZone(tz.Name)
		if !ok || stored != tz.Name || iana != tz.IANA {
			t.Errorf("ResolveTimeZone(%q) = (%q, %q, %v), want (%q, %q, true)",
				tz.Name, stored, iana, ok, tz.Name, tz.IANA)
		}
	}
	// Case-insensitive matching needs names that are distinct ignoring case.
	if len(timeZoneByLower) != len(zones) {
		t.Errorf("lowercase index has %d entries for %d names; names collide ignoring case",
			len(timeZoneByLower), len(zones))
	}
}

func TestTimeZonesReturnsCopy(t *testing.T) {
	zones := TimeZones()
	zones[0].Name = "Mutated"
	if got := TimeZones()[0].Name; got != "International Date Line West" {
		t.Errorf("after mutating the result, TimeZones()[0].Name = %q; package data leaked", got)
	}
}
