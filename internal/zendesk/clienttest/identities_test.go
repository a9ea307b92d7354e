package clienttest_test

import (
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nodeIdentity is an identity as identities.js summarises it, with the
// status of the response that carried it where there was one.
type nodeIdentity struct {
	Status   int    `json:"status,omitempty"`
	ID       int64  `json:"id"`
	UserID   int64  `json:"user_id"`
	Type     string `json:"type"`
	Value    string `json:"value"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

type nodeTags struct {
	Status int      `json:"status"`
	Tags   []string `json:"tags"`
}

type nodeFailure struct {
	StatusCode int    `json:"status_code"`
	Error      string `json:"error"`
}

// identitiesReport is the one JSON object identities.js prints.
type identitiesReport struct {
	UserID       int64          `json:"user_id"`
	FirstList    []nodeIdentity `json:"first_list"`
	CreatedEmail nodeIdentity   `json:"created_email"`
	CreatedPhone nodeIdentity   `json:"created_phone"`
	Duplicate    nodeFailure    `json:"duplicate"`
	MadePrimary  struct {
		Status     int            `json:"status"`
		Identities []nodeIdentity `json:"identities"`
	} `json:"made_primary"`
	UserAfterPrimary   string         `json:"user_after_primary"`
	Verified           nodeIdentity   `json:"verified"`
	UpdatedPhone       nodeIdentity   `json:"updated_phone"`
	RequestVerifStatus int            `json:"request_verification_status"`
	DeleteStatus       int            `json:"delete_status"`
	FinalList          []nodeIdentity `json:"final_list"`
	Shown              nodeIdentity   `json:"shown"`
	Foreign            nodeFailure    `json:"foreign"`
	SetTags            nodeTags       `json:"set_tags"`
	AddTags            nodeTags       `json:"add_tags"`
	ListTags           []string       `json:"list_tags"`
	RemoveTagsClient   nodeFailure    `json:"remove_tags_client"`
	RemoveTagsQuery    nodeTags       `json:"remove_tags_query"`
	RemoveTagsBody     nodeTags       `json:"remove_tags_body"`
	FinalTags          []string       `json:"final_tags"`
	ForeignTags        nodeFailure    `json:"foreign_tags"`
	Exchanges          []nodeExchange `json:"exchanges"`
}

// TestNodeZendeskIdentities runs node/identities.js, in which the
// unmodified node-zendesk client creates identities, makes one primary,
// deletes one and sets, adds, lists and removes tags, and checks its report
// and the stored state.
func TestNodeZendeskIdentities(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not found on PATH: node-zendesk client test skipped")
	}
	ensureNodeModules(t)
	f := startServer(t)
	var r identitiesReport
	runNodeScript(t, node, "identities.js", f.endpoint, []string{
		"ZENDESK_USERNAME=" + f.admin.Email,
		"ZENDESK_TOKEN=" + f.token,
		"ZENDESK_FOREIGN_ID=" + strconv.FormatInt(f.foreign.ID, 10),
	}, &r)
	uid := r.UserID

	if len(r.FirstList) != 1 || r.FirstList[0].Value != "ida@example.com" || !r.FirstList[0].Primary {
		t.Fatalf("first list = %+v, want the primary ida@example.com", r.FirstList)
	}
	old := r.FirstList[0]
	work := nodeIdentity{Status: http.StatusCreated, ID: r.CreatedEmail.ID, UserID: uid, Type: "email", Value: "ida.work@example.com"}
	if diff := cmp.Diff(work, r.CreatedEmail); diff != "" {
		t.Errorf("created email (-want +got):\n%s", diff)
	}
	phone := nodeIdentity{Status: http.StatusCreated, ID: r.CreatedPhone.ID, UserID: uid, Type: "phone_number", Value: "+15550102000", Primary: true}
	if diff := cmp.Diff(phone, r.CreatedPhone); diff != "" {
		t.Errorf("created phone (-want +got):\n%s", diff)
	}
	if r.Duplicate != (nodeFailure{StatusCode: 422, Error: "RecordInvalid"}) {
		t.Errorf("duplicate create = %+v, want 422 RecordInvalid", r.Duplicate)
	}
	work.Status, work.Primary, old.Primary, phone.Status = 0, true, false, 0
	if diff := cmp.Diff([]nodeIdentity{work, phone, old}, sortedByPrimary(r.MadePrimary.Identities)); r.MadePrimary.Status != 200 || diff != "" {
		t.Errorf("makePrimary status %d (-want +got):\n%s", r.MadePrimary.Status, diff)
	}
	if r.UserAfterPrimary != "ida.work@example.com" {
		t.Errorf("user email after makePrimary = %q", r.UserAfterPrimary)
	}
	if r.Verified.Status != 200 || !r.Verified.Verified || r.Verified.ID != work.ID {
		t.Errorf("verify = %+v", r.Verified)
	}
	if r.UpdatedPhone.Status != 200 || r.UpdatedPhone.Value != "+15550102001" {
		t.Errorf("update phone = %+v", r.UpdatedPhone)
	}
	if r.RequestVerifStatus != 200 || r.DeleteStatus != 204 {
		t.Errorf("requestVerification %d, delete %d; want 200 and 204", r.RequestVerifStatus, r.DeleteStatus)
	}
	work.Verified, phone.Value = true, "+15550102001"
	if diff := cmp.Diff([]nodeIdentity{work, phone}, sortedByPrimary(r.FinalList)); diff != "" {
		t.Errorf("final list (-want +got):\n%s", diff)
	}
	if r.Shown != work {
		t.Errorf("show = %+v, want %+v", r.Shown, work)
	}
	if r.Foreign.StatusCode != 404 || r.ForeignTags.StatusCode != 404 {
		t.Errorf("another realm's user: identities %+v, tags %+v; want 404", r.Foreign, r.ForeignTags)
	}

	// Tags.
	checkTags := func(what string, got nodeTags, status int, want ...string) {
		t.Helper()
		if got.Status != status || !slices.Equal(got.Tags, want) {
			t.Errorf("%s = %+v, want %d %v", what, got, status, want)
		}
	}
	checkTags("setTags", r.SetTags, 201, "alpha", "beta", "delta")
	checkTags("addTags", r.AddTags, 200, "alpha", "beta", "delta", "gamma")
	if !slices.Equal(r.ListTags, []string{"alpha", "beta", "delta", "gamma"}) {
		t.Errorf("listTags = %v", r.ListTags)
	}
	if r.RemoveTagsClient.StatusCode != 400 {
		t.Errorf("removeTags without a body = %+v, want 400", r.RemoveTagsClient)
	}
	checkTags("DELETE tags?tags=beta", r.RemoveTagsQuery, 200, "alpha", "delta", "gamma")
	checkTags("DELETE tags with a body", r.RemoveTagsBody, 200, "alpha", "gamma")
	if !slices.Equal(r.FinalTags, []string{"alpha", "gamma"}) {
		t.Errorf("final tags = %v", r.FinalTags)
	}

	// The stored state, read through the API itself.
	var body struct {
		Identities []nodeIdentity `json:"identities"`
	}
	if status := f.api.get(t, "/users/"+strconv.FormatInt(uid, 10)+"/identities.json", &body); status != 200 {
		t.Fatalf("GET identities = %d", status)
	}
	if diff := cmp.Diff([]nodeIdentity{work, phone}, sortedByPrimary(body.Identities)); diff != "" {
		t.Errorf("stored identities (-want +got):\n%s", diff)
	}
	if u := f.api.user(t, uid); !slices.Equal(u.Tags, []string{"alpha", "gamma"}) {
		t.Errorf("stored tags = %v", u.Tags)
	}
	for _, x := range r.Exchanges {
		if x.RetryAfter != nil {
			t.Errorf("%s %s carried Retry-After %q", x.Method, x.URI, *x.RetryAfter)
		}
		if !strings.HasPrefix(x.URI, f.endpoint+"/") {
			t.Errorf("request outside the endpoint: %s", x.URI)
		}
	}
}

// sortedByPrimary orders identities as the API lists them: primary first,
// then by id.
func sortedByPrimary(ids []nodeIdentity) []nodeIdentity {
	out := slices.Clone(ids)
	slices.SortStableFunc(out, func(a, b nodeIdentity) int {
		if a.Primary != b.Primary {
			if a.Primary {
				return -1
			}
			return 1
		}
		return int(a.ID - b.ID)
	})
	return out
}
