package customers

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/clientele/clientele/internal/directory"
	"github.com/golang-jwt/jwt/v5"
)

// showDeliveryToken answers GET …/delivery_token and the legacy GET
// /api/profile/delivery_token: {"delivery_token": JWT}, the token a site
// sends to the Content API (Delivery-Token header) to read private
// content as this customer. HS256 with the account's delivery secret;
// claims as Modyo's: iss (this endpoint), aud (the Content API), sub (the
// account's UUID), iat, exp (the account's lifetime), access_type
// "delivery" and the customer's segments (Clientele has none yet: []).
func (h *Handler) showDeliveryToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	account, err := h.svc.Account(r.Context())
	if err != nil {
		return err
	}
	now, base := h.svc.Now(), h.baseURL(r)
	claims := jwt.MapClaims{
		"iss":         base + r.URL.Path,
		"aud":         base + "/api/content",
		"sub":         account.UUID,
		"iat":         now.Unix(),
		"exp":         now.Add(account.DeliveryTokenTTL).Unix(),
		"access_type": "delivery",
		"segments":    []string{},
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(account.DeliverySecret))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"delivery_token": token})
	return nil
}

// maxReturnTo bounds the return_to passed through to Zendesk, so the SSO
// URL stays within what browsers and servers accept.
const maxReturnTo = 2048

// errNoZendesk is the answer of the Zendesk endpoints for a realm without
// a Zendesk integration.
var errNoZendesk = errorList("This realm has no Zendesk integration")

// showZendeskToken answers GET …/integrations/zendesk_token: {"token":
// JWT}, a Zendesk JWT SSO token for the customer.
func (h *Handler) showZendeskToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	token, _, err := h.zendeskToken(r, c)
	if err != nil {
		return h.zendeskError(w, err)
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
	return nil
}

// showZendeskSSOURL answers GET …/integrations/zendesk_sso_url: {"url":
// "https://{host}/access/jwt?jwt=…"}, with the request's return_to
// passed on, where the browser goes to be signed into Zendesk.
func (h *Handler) showZendeskSSOURL(w http.ResponseWriter, r *http.Request, c *caller) error {
	returnTo := r.URL.Query().Get("return_to")
	if len(returnTo) > maxReturnTo {
		var v directory.Invalid
		v.Add("return_to", "InvalidValue", "is too long (maximum is 2048 characters)")
		return v.Err()
	}
	token, host, err := h.zendeskToken(r, c)
	if err != nil {
		return h.zendeskError(w, err)
	}
	q := url.Values{"jwt": {token}}
	if returnTo != "" {
		q.Set("return_to", returnTo)
	}
	writeJSON(w, http.StatusOK, map[string]string{"url": "https://" + host + "/access/jwt?" + q.Encode()})
	return nil
}

// zendeskToken signs the customer's Zendesk JWT SSO token and returns it
// with the Zendesk host.
// The header is {"alg":"HS256","typ":"JWT"} (Zendesk refuses a token
// without typ); the claims are Zendesk's, with its types: iat in seconds,
// jti a string, tags an array, locale_id a number, user_fields an object.
func (h *Handler) zendeskToken(r *http.Request, c *caller) (token, host string, err error) {
	sso, err := h.signin.ZendeskSSO(r.Context(), c.realm, c.user)
	if err != nil {
		return "", "", err
	}
	cl := sso.Claims
	claims := jwt.MapClaims{"iat": cl.IssuedAt.Unix(), "jti": cl.JTI, "name": cl.Name}
	optional := map[string]string{"email": cl.Email, "external_id": cl.ExternalID, "organization": cl.Organization,
		"phone": cl.Phone, "remote_photo_url": cl.RemotePhotoURL}
	for k, v := range optional {
		if v != "" {
			claims[k] = v
		}
	}
	if len(cl.Tags) > 0 {
		claims["tags"] = cl.Tags
	}
	if cl.LocaleID > 0 {
		claims["locale_id"] = cl.LocaleID
	}
	if len(cl.UserFields) > 0 {
		claims["user_fields"] = cl.UserFields
	}
	token, err = jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(sso.Secret))
	return token, sso.Host, err
}

// zendeskError answers the errors of the Zendesk endpoints that are
// theirs: 404 without an integration, 409 when the server cannot open
// its secret (no CLIENTELE_SECRET_KEY). Other errors are returned for
// the usual answer.
func (h *Handler) zendeskError(w http.ResponseWriter, err error) error {
	switch directory.KindOf(err) {
	case directory.KindNotFound:
		writeJSON(w, http.StatusNotFound, errNoZendesk)
		return nil
	case directory.KindBadRequest:
		var de *directory.Error
		errors.As(err, &de)
		writeJSON(w, http.StatusConflict, errorList(de.Message))
		return nil
	}
	return err
}

// zendeskIntegrationBody is a realm's Zendesk integration as the
// administration endpoints show it: never its secret, only a hint.
type zendeskIntegrationBody struct {
	Name       string `json:"name"`
	URL        string `json:"url"`
	Host       string `json:"host"`
	SecretHint string `json:"secret_hint"`
	CreatedAt  any    `json:"created_at"`
	UpdatedAt  any    `json:"updated_at"`
}

func toZendeskIntegrationBody(z *directory.ZendeskIntegration) zendeskIntegrationBody {
	return zendeskIntegrationBody{Name: z.Name, URL: "https://" + z.Host, Host: z.Host, SecretHint: "..." + z.SecretHint,
		CreatedAt: timeValue(z.CreatedAt), UpdatedAt: timeValue(z.UpdatedAt)}
}

// showZendeskIntegration answers GET …/integrations/zendesk (admin).
func (h *Handler) showZendeskIntegration(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	z, err := h.signin.ZendeskIntegration(r.Context(), a.realm.ID)
	if err != nil {
		return h.zendeskError(w, err)
	}
	writeJSON(w, http.StatusOK, toZendeskIntegrationBody(z))
	return nil
}

// zendeskIntegrationInput is the body of PUT …/integrations/zendesk.
type zendeskIntegrationInput struct {
	Name   string `json:"name"`
	URL    string `json:"url"`
	Secret string `json:"secret"`
}

// updateZendeskIntegration answers PUT …/integrations/zendesk (admin):
// creates the realm's integration (201) or replaces it (200); a body
// without a secret keeps the secret it had.
func (h *Handler) updateZendeskIntegration(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	var in zendeskIntegrationInput
	if err := decodeBody(w, r, &in); err != nil {
		return err
	}
	z, created, err := h.signin.SetZendeskIntegration(r.Context(), a.realm.ID,
		directory.ZendeskInput{Name: in.Name, URL: in.URL, Secret: in.Secret})
	if err != nil {
		return h.zendeskError(w, err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, toZendeskIntegrationBody(z))
	return nil
}

// deleteZendeskIntegration answers DELETE …/integrations/zendesk (admin)
// with 200 {}, as Modyo's admin deletes do.
func (h *Handler) deleteZendeskIntegration(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	if err := h.signin.DeleteZendeskIntegration(r.Context(), a.realm.ID); err != nil {
		return h.zendeskError(w, err)
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
