package zendesk_test

import (
	"net/http"
	"testing"
)

func TestTimeZonesAndLocales(t *testing.T) {
	run(t, []scenario{
		{name: "time zones, anonymous", method: "GET", path: "/api/v2/time_zones.json", status: 200,
			check: func(t *testing.T, e *env, res response) {
				body := res.json(t)
				zones := body["time_zones"].([]any)
				if len(zones) < 150 || body["count"] != float64(len(zones)) {
					t.Fatalf("%d zones, count %v", len(zones), body["count"])
				}
				first := zones[0].(map[string]any)
				if first["name"] != "International Date Line West" || first["iana_name"] != "Etc/GMT+12" ||
					first["offset"] != -720.0 || first["formatted_offset"] != "GMT-12:00" {
					t.Errorf("first zone = %v", first)
				}
			}},
		// The test clock is 2024-05-06: New York is on daylight saving time.
		{name: "time zone by friendly name", method: "GET", path: "/api/v2/time_zones/Eastern%20Time%20(US%20&%20Canada).json", status: 200,
			want: `{"time_zone":{"translated_name":"Eastern Time (US & Canada)","name":"Eastern Time (US & Canada)","iana_name":"America/New_York",
				"offset":-240,"formatted_offset":"GMT-04:00","url":"{base}/api/v2/time_zones/Eastern%20Time%20%28US%20&%20Canada%29.json"}}`},
		{name: "time zone by IANA name", method: "GET", path: "/api/v2/time_zones/Asia/Kolkata", status: 200,
			check: func(t *testing.T, e *env, res response) {
				tz := res.json(t)["time_zone"].(map[string]any)
				if tz["offset"] != 330.0 || tz["formatted_offset"] != "GMT+05:30" {
					t.Errorf("Kolkata = %v", tz)
				}
			}},
		{name: "unknown time zone", method: "GET", path: "/api/v2/time_zones/Atlantis", status: 404, want: notFound},
		{name: "locales", method: "GET", path: "/api/v2/locales.json", status: 200,
			check: func(t *testing.T, e *env, res response) {
				locales := res.json(t)["locales"].([]any)
				first := locales[0].(map[string]any)
				if len(locales) < 50 || first["locale"] != "en-US" || first["id"] != 1.0 || first["default"] != true ||
					first["name"] != "American English" || first["rtl"] != false {
					t.Errorf("first locale = %v of %d", first, len(locales))
				}
				rtl := 0
				for _, l := range locales {
					if l.(map[string]any)["rtl"] == true {
						rtl++
					}
				}
				if rtl < 3 {
					t.Errorf("%d right-to-left locales", rtl)
				}
			}},
		{name: "locale by code", method: "GET", path: "/api/v2/locales/de.json", status: 200,
			check: func(t *testing.T, e *env, res response) {
				l := res.json(t)["locale"].(map[string]any)
				if l["locale"] != "de" || l["name"] != "German" || l["native_name"] != "Deutsch" {
					t.Errorf("de = %v", l)
				}
			}},
		{name: "locale by id", method: "GET", path: "/api/v2/locales/1", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if res.json(t)["locale"].(map[string]any)["locale"] != "en-US" {
					t.Errorf("locale 1 = %s", res.body)
				}
			}},
		{name: "unknown locale", method: "GET", path: "/api/v2/locales/9999", status: 404, want: notFound},
		{name: "current locale of a user", method: "GET", path: "/api/v2/locales/current", who: "customer", status: 200,
			check: func(t *testing.T, e *env, res response) {
				if res.json(t)["locale"].(map[string]any)["locale"] != "en-US" {
					t.Errorf("current = %s", res.body)
				}
			}},
	})
	eachEngine(t, func(t *testing.T, eng engine) {
		e := newEnv(t, eng, 0)
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v2/locales/detect_best_locale.json", nil)
		req.Header.Set("Accept-Language", "xx, de-CH;q=0.9, fr;q=0.8")
		res, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var body struct{ Locale struct{ Locale string } }
		if err := jsonDecode(res, &body); err != nil || body.Locale.Locale != "de-CH" {
			t.Errorf("detect_best_locale = %+v, %v", body, err)
		}
	})
}
