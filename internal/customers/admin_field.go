package customers

import (
	"net/http"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

// Custom field definitions of the realm's users, in Modyo's types, over
// the directory's user fields (the ones the Zendesk API's user_fields
// serve too).

// modyoTypes maps Modyo's field types to the directory's. number is
// decimal, so that 2.5 is a number; choice (several answers) is a
// multiselect.
var modyoTypes = map[string]directory.UserFieldType{
	"checkbox":         directory.FieldCheckbox,
	"date":             directory.FieldDate,
	"dropdown":         directory.FieldDropdown,
	"paragraph":        directory.FieldTextarea,
	"number":           directory.FieldDecimal,
	"choice":           directory.FieldMultiselect,
	"text":             directory.FieldText,
	"single_line_text": directory.FieldText,
}

// modyoFieldType is the Modyo type of a directory field type; the types
// Modyo lacks (fields made through the Zendesk API) show as themselves,
// but integer as number and regexp as text, which is what they hold.
func modyoFieldType(t directory.UserFieldType) string {
	switch t {
	case directory.FieldTextarea:
		return "paragraph"
	case directory.FieldDecimal, directory.FieldInteger:
		return "number"
	case directory.FieldMultiselect:
		return "choice"
	case directory.FieldText, directory.FieldRegexp:
		return "text"
	}
	return string(t)
}

// fieldBody is a custom field definition.
type fieldBody struct {
	ID        int64        `json:"id"`
	Key       string       `json:"key"`
	Name      string       `json:"name"`
	Type      string       `json:"type"`
	Hint      string       `json:"hint"`
	Position  int          `json:"position"`
	Enabled   bool         `json:"enabled"`
	Required  bool         `json:"required"`
	Unique    bool         `json:"unique"`
	Visible   bool         `json:"visible"`
	Editable  bool         `json:"editable"`
	Options   []optionBody `json:"options"`
	CreatedAt any          `json:"created_at"`
	UpdatedAt any          `json:"updated_at"`
}

// optionBody is one choice of a dropdown or choice field.
type optionBody struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Value    string `json:"value"`
	Position int    `json:"position"`
}

func presentField(f *directory.UserField) fieldBody {
	b := fieldBody{ID: f.ID, Key: f.Key, Name: f.Title, Type: modyoFieldType(f.Type), Hint: f.Description, Position: f.Position,
		Enabled: f.Active, Required: f.Required, Unique: f.Unique, Visible: f.CustomerVisible, Editable: f.CustomerEditable,
		Options: []optionBody{}, CreatedAt: timeValue(f.CreatedAt), UpdatedAt: timeValue(f.UpdatedAt)}
	for _, o := range f.Options {
		b.Options = append(b.Options, optionBody{ID: o.ID, Name: o.Name, Value: o.Value, Position: o.Position})
	}
	return b
}

// fieldInput is the body of POST and PUT custom_fields, at the top level
// or under "custom_field".
type fieldInput struct {
	Key         *string        `json:"key"`
	Name        *string        `json:"name"`
	Type        *string        `json:"type"`
	Hint        *string        `json:"hint"`
	Position    *int           `json:"position"`
	Enabled     *bool          `json:"enabled"`
	Required    *bool          `json:"required"`
	Unique      *bool          `json:"unique"`
	Visible     *bool          `json:"visible"`
	Editable    *bool          `json:"editable"`
	Options     *[]optionInput `json:"options"`
	CustomField *fieldInput    `json:"custom_field"`
}

// optionInput is an option as sent; without an id it is a new one.
type optionInput struct {
	ID       int64   `json:"id"`
	Name     *string `json:"name"`
	Value    *string `json:"value"`
	Position *int    `json:"position"`
}

// directoryInput translates in for the directory; an unknown type is a
// 422 on type.
func (in *fieldInput) directoryInput() (directory.UserFieldInput, error) {
	out := directory.UserFieldInput{Key: in.Key, Title: in.Name, Description: in.Hint, Position: in.Position, Active: in.Enabled,
		Required: in.Required, Unique: in.Unique, CustomerVisible: in.Visible, CustomerEditable: in.Editable}
	if in.Type != nil {
		t, ok := modyoTypes[*in.Type]
		if !ok {
			return out, invalid("type", "must be one of checkbox, date, dropdown, paragraph, number, choice, text")
		}
		s := string(t)
		out.Type = &s
	}
	if in.Options != nil {
		opts := make([]directory.FieldOptionInput, 0, len(*in.Options))
		for _, o := range *in.Options {
			opts = append(opts, directory.FieldOptionInput{ID: o.ID, Name: o.Name, Value: o.Value, Position: o.Position})
		}
		out.Options = &opts
	}
	return out, nil
}

func decodeFieldInput(w http.ResponseWriter, r *http.Request) (*fieldInput, error) {
	var in fieldInput
	if err := decodeBody(w, r, &in); err != nil {
		return nil, err
	}
	if in.CustomField != nil {
		return in.CustomField, nil
	}
	return &in, nil
}

// renameFieldErrors names the directory's field attributes as this API
// does (title is name, description is hint, ...).
func renameFieldErrors(err error) error {
	de, ok := err.(*directory.Error)
	if !ok || de.Kind != directory.KindInvalid {
		return err
	}
	names := map[string]string{"title": "name", "description": "hint", "active": "enabled", "customer_visible": "visible",
		"customer_editable": "editable", "custom_field_options": "options"}
	out := &directory.Error{Kind: de.Kind, Message: de.Message, Fields: make([]directory.FieldError, len(de.Fields))}
	for i, f := range de.Fields {
		if n, ok := names[f.Field]; ok {
			f.Field = n
		}
		out.Fields[i] = f
	}
	return out
}

// fieldID is the {id} of the path: a number (a key is not an id here).
func fieldID(r *http.Request) (string, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return "", directory.ErrNotFound
	}
	return strconv.FormatInt(id, 10), nil
}

// listFields is GET /custom_fields: {custom_fields, meta}, by position.
func (h *Handler) listFields(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	fields, err := h.svc.UserFields(r.Context(), a.Actor())
	if err != nil {
		return err
	}
	writeListPage(w, r, "custom_fields", fields, presentField)
	return nil
}

// createField is POST /custom_fields: 201 with the field; at most
// directory.MaxCustomerFields per realm.
func (h *Handler) createField(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	in, err := decodeFieldInput(w, r)
	if err != nil {
		return err
	}
	if in.Type == nil {
		return invalid("type", "can't be blank")
	}
	din, err := in.directoryInput()
	if err != nil {
		return err
	}
	din.MaxFields = directory.MaxCustomerFields
	f, err := h.svc.CreateUserField(r.Context(), a.Actor(), din)
	if err != nil {
		return renameFieldErrors(err)
	}
	writeJSON(w, http.StatusCreated, presentField(f))
	return nil
}

// showField is GET /custom_fields/{id}.
func (h *Handler) showField(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	id, err := fieldID(r)
	if err != nil {
		return err
	}
	f, err := h.svc.UserField(r.Context(), a.Actor(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentField(f))
	return nil
}

// updateField is PUT /custom_fields/{id}; key and type cannot change.
func (h *Handler) updateField(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	id, err := fieldID(r)
	if err != nil {
		return err
	}
	in, err := decodeFieldInput(w, r)
	if err != nil {
		return err
	}
	din, err := in.directoryInput()
	if err != nil {
		return err
	}
	f, err := h.svc.UpdateUserField(r.Context(), a.Actor(), id, din)
	if err != nil {
		return renameFieldErrors(err)
	}
	writeJSON(w, http.StatusOK, presentField(f))
	return nil
}

// deleteField is DELETE /custom_fields/{id}: 200 {}, and every user's
// value of the field goes with it.
func (h *Handler) deleteField(w http.ResponseWriter, r *http.Request, a *adminCaller) error {
	id, err := fieldID(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteUserField(r.Context(), a.Actor(), id); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct{}{})
	return nil
}
