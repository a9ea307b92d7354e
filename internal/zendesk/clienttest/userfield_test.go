package clienttest_test

import (
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/clientele/clientele/internal/directory"
	"github.com/google/go-cmp/cmp"
)

// userFieldsReport is what node/userfields.js prints.
type userFieldsReport struct {
	Created []struct {
		ID      int64    `json:"id"`
		Key     string   `json:"key"`
		Type    string   `json:"type"`
		Title   string   `json:"title"`
		Options []string `json:"options"`
	} `json:"created"`
	Option  string   `json:"option"`
	Options []string `json:"options"`
	Listed  []string `json:"listed"`
	Shown   struct {
		ID      int64    `json:"id"`
		Key     string   `json:"key"`
		Type    string   `json:"type"`
		Title   string   `json:"title"`
		Options []string `json:"options"`
	} `json:"shown"`
	UpdatedFields map[string]any `json:"updated_fields"`
	ReadBack      map[string]any `json:"read_back"`
	Refused       *struct {
		StatusCode int      `json:"status_code"`
		Details    []string `json:"details"`
	} `json:"refused"`
	AfterDelete map[string]any `json:"after_delete"`
	Exchanges   []struct {
		Method string `json:"method"`
		URI    string `json:"uri"`
		Status int    `json:"status"`
	} `json:"exchanges"`
}

// TestNodeZendeskUserFields runs node/userfields.js: node-zendesk defines
// fields, sets their values on a user and reads them back.
func TestNodeZendeskUserFields(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: node-zendesk client test skipped")
	}
	ensureNodeModules(t)
	f := startServer(t)
	acme, err := f.svc.Realm(t.Context(), "acme")
	if err != nil {
		t.Fatal(err)
	}
	customer := createUser(t, f.svc, acme, "Kit Customer", "kit@acme.example", directory.RoleEndUser)

	var report userFieldsReport
	runNodeScript(t, node, "userfields.js", f.endpoint, []string{
		"ZENDESK_USERNAME=" + f.admin.Email,
		"ZENDESK_TOKEN=" + f.token,
		"ZENDESK_USER_ID=" + strconv.FormatInt(customer.ID, 10),
	}, &report)

	if len(report.Created) != 3 || report.Created[0].Key != "tier" || report.Created[0].Type != "dropdown" ||
		!cmp.Equal(report.Created[0].Options, []string{"gold", "silver"}) || report.Created[1].Type != "date" || report.Created[2].Type != "text" {
		t.Errorf("created = %+v", report.Created)
	}
	if report.Option != "bronze" || !cmp.Equal(report.Options, []string{"gold", "silver", "bronze"}) {
		t.Errorf("option = %q, options = %v", report.Option, report.Options)
	}
	if want := []string{"nickname", "tier", "member_since"}; !cmp.Equal(report.Listed, want) {
		t.Errorf("listed after reorder = %v, want %v", report.Listed, want)
	}
	if report.Shown.ID != report.Created[0].ID || report.Shown.Title != "Tier" {
		t.Errorf("shown = %+v", report.Shown)
	}
	want := map[string]any{"tier": "bronze", "member_since": "2019-07-23T00:00:00Z", "nickname": "Kit"}
	if diff := cmp.Diff(want, report.UpdatedFields); diff != "" {
		t.Errorf("update's user_fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, report.ReadBack); diff != "" {
		t.Errorf("user_fields read back (-want +got):\n%s", diff)
	}
	if report.Refused == nil || report.Refused.StatusCode != http.StatusUnprocessableEntity || !cmp.Equal(report.Refused.Details, []string{"user_fields.tier"}) {
		t.Errorf("refused = %+v, want a 422 naming user_fields.tier", report.Refused)
	}
	delete(want, "nickname")
	if diff := cmp.Diff(want, report.AfterDelete); diff != "" {
		t.Errorf("user_fields after deleting nickname (-want +got):\n%s", diff)
	}
	// The stored user holds exactly the values read back.
	stored, err := f.svc.Store().UserByID(t.Context(), acme.ID, customer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, stored.UserFields); diff != "" {
		t.Errorf("stored user_fields (-want +got):\n%s", diff)
	}
	// The client used the paths clients.md lists for it.
	var paths []string
	for _, x := range report.Exchanges {
		paths = append(paths, x.Method+" "+strings.TrimPrefix(x.URI, f.endpoint))
	}
	for _, p := range []string{"POST /user_fields.json", "POST /user_fields/" + strconv.FormatInt(report.Created[0].ID, 10) + "/options.json",
		"PUT /user_fields/reorder.json", "GET /user_fields.json", "DELETE /user_fields/" + strconv.FormatInt(report.Created[2].ID, 10) + ".json"} {
		found := false
		for _, got := range paths {
			found = found || strings.HasPrefix(got, p)
		}
		if !found {
			t.Errorf("no request %q among %v", p, paths)
		}
	}
}
