package zendesk

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/clientele/clientele/internal/directory"
)

// userFieldRoutes registers the User Fields API.
func (h *Handler) userFieldRoutes() {
	h.handle("GET /api/v2/user_fields", h.listUserFields)
	h.handle("POST /api/v2/user_fields", h.createUserField)
	h.handle("PUT /api/v2/user_fields/reorder", h.reorderUserFields)
	h.handle("GET /api/v2/user_fields/{id}", h.showUserField)
	h.handle("PUT /api/v2/user_fields/{id}", h.updateUserField)
	h.handle("DELETE /api/v2/user_fields/{id}", h.deleteUserField)
	h.handle("GET /api/v2/user_fields/{id}/options", h.listUserFieldOptions)
	h.handle("POST /api/v2/user_fields/{id}/options", h.createOrUpdateUserFieldOption)
	h.handle("GET /api/v2/user_fields/{id}/options/{option}", h.showUserFieldOption)
	h.handle("DELETE /api/v2/user_fields/{id}/options/{option}", h.deleteUserFieldOption)
}

// builtInPatterns are the regexp_for_validation Zendesk reports for the
// field types it validates with a pattern of its own.
var builtInPatterns = map[directory.UserFieldType]string{
	directory.FieldInteger: `\A[-+]?\d+\z`,
	directory.FieldDecimal: `\A[-+]?[0-9]*[.,]?[0-9]+\z`,
	directory.FieldDate:    `\A([0-9]{4})-(1[0-2]|0[1-9])-(3[01]|[12][0-9]|0[1-9])\z`,
}

// userField is the user field object; tag, custom_field_options and the
// relationship keys appear only for the types that have them.
type userField struct {
	URL                    string             `json:"url"`
	ID                     int64              `json:"id"`
	Type                   string             `json:"type"`
	Key                    string             `json:"key"`
	Title                  string             `json:"title"`
	RawTitle               string             `json:"raw_title"`
	Description            string             `json:"description"`
	RawDescription         string             `json:"raw_description"`
	Position               int                `json:"position"`
	Active                 bool               `json:"active"`
	System                 bool               `json:"system"`
	RegexpForValidation    *string            `json:"regexp_for_validation"`
	Tag                    optional[string]   `json:"tag,omitzero"`
	CustomFieldOptions     []fieldOption      `json:"custom_field_options,omitempty"`
	RelationshipTargetType string             `json:"relationship_target_type,omitempty"`
	RelationshipFilter     optional[jsonData] `json:"relationship_filter,omitzero"`
	CreatedAt              string             `json:"created_at"`
	UpdatedAt              string             `json:"updated_at"`
}

// fieldOption is a custom_field_option object.
type fieldOption struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	RawName  string `json:"raw_name"`
	Value    string `json:"value"`
	Position int    `json:"position"`
	URL      string `json:"url"`
}

// jsonData is any decoded JSON value.
type jsonData = map[string]any

// optional is a member present only for some objects: omitted when not
// set, null when set to nil.
type optional[T any] struct {
	set bool
	v   *T
}

func some[T any](v *T) optional[T] { return optional[T]{set: true, v: v} }

// IsZero reports whether the member is left out (for omitzero).
func (o optional[T]) IsZero() bool { return !o.set }

// MarshalJSON writes the value, or null.
func (o optional[T]) MarshalJSON() ([]byte, error) { return json.Marshal(o.v) }

func (h *Handler) userFieldURL(r *http.Request, id int64) string {
	return fmt.Sprintf("%s/api/v2/user_fields/%d.json", h.baseURL(r), id)
}

func (h *Handler) userFieldView(r *http.Request, f *directory.UserField) userField {
	out := userField{
		URL: h.userFieldURL(r, f.ID), ID: f.ID, Type: string(f.Type), Key: f.Key,
		Title: f.Title, RawTitle: f.RawTitle, Description: f.Description, RawDescription: f.RawDescription,
		Position: f.Position, Active: f.Active,
		CreatedAt: timestamp(f.CreatedAt), UpdatedAt: timestamp(f.UpdatedAt),
	}
	switch f.Type {
	case directory.FieldRegexp:
		out.RegexpForValidation = &f.RegexpForValidation
	case directory.FieldCheckbox:
		out.Tag = some(nullString(f.Tag))
	case directory.FieldLookup:
		out.RelationshipTargetType = f.RelationshipTargetType
		out.RelationshipFilter = some[jsonData](nil)
		if f.RelationshipFilter != nil {
			out.RelationshipFilter = some(&f.RelationshipFilter)
		}
	}
	if p, ok := builtInPatterns[f.Type]; ok {
		out.RegexpForValidation = &p
	}
	if f.Type.HasOptions() {
		out.CustomFieldOptions = make([]fieldOption, len(f.Options))
		for i := range f.Options {
			out.CustomFieldOptions[i] = h.fieldOptionView(r, f, &f.Options[i])
		}
	}
	return out
}

func (h *Handler) fieldOptionView(r *http.Request, f *directory.UserField, o *directory.FieldOption) fieldOption {
	return fieldOption{ID: o.ID, Name: o.Name, RawName: o.RawName, Value: o.Value, Position: o.Position,
		URL: fmt.Sprintf("%s/api/v2/user_fields/%d/options/%d.json", h.baseURL(r), f.ID, o.ID)}
}

// userFieldInput decodes a user_field object.
func userFieldInput(obj map[string]json.RawMessage) (directory.UserFieldInput, error) {
	var in directory.UserFieldInput
	f := fields{obj: obj}
	f.str("key", &in.Key)
	f.str("type", &in.Type)
	f.str("title", &in.Title)
	f.str("raw_title", &in.RawTitle)
	f.str("description", &in.Description)
	f.str("raw_description", &in.RawDescription)
	f.integer("position", &in.Position)
	f.boolean("active", &in.Active)
	f.str("regexp_for_validation", &in.RegexpForValidation)
	f.str("tag", &in.Tag)
	f.str("relationship_target_type", &in.RelationshipTargetType)
	if _, ok := obj["relationship_filter"]; ok {
		in.SetRelationshipFilter = true
		f.object("relationship_filter", &in.RelationshipFilter)
		if len(in.RelationshipFilter) == 0 {
			in.RelationshipFilter = nil
		}
	}
	if raw, ok := obj["custom_field_options"]; ok && !isNull(raw) {
		var list []map[string]json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			f.invalid.Add("custom_field_options", "InvalidValue", "must be an array of option objects")
		}
		options := make([]directory.FieldOptionInput, 0, len(list))
		for _, el := range list {
			o, err := fieldOptionInput(el)
			if err != nil {
				f.invalid.Add("custom_field_options", "InvalidValue", "each option needs a string name and value, and a numeric id when it has one")
				break
			}
			options = append(options, o)
		}
		in.Options = &options
	}
	return in, f.err()
}

// fieldOptionInput decodes a custom_field_option object.
func fieldOptionInput(obj map[string]json.RawMessage) (directory.FieldOptionInput, error) {
	var in directory.FieldOptionInput
	f := fields{obj: obj}
	var id *int64
	f.id("id", &id)
	if id != nil {
		in.ID = *id
	}
	f.str("name", &in.Name)
	f.str("raw_name", &in.RawName)
	f.str("value", &in.Value)
	f.integer("position", &in.Position)
	return in, f.err()
}

func (h *Handler) listUserFields(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	list, err := h.svc.UserFields(r.Context(), a)
	if err != nil {
		return err
	}
	return writeMemoryList(w, r, h.linker(r), "user_fields", list, func(f *directory.UserField) any { return h.userFieldView(r, f) })
}

func (h *Handler) showUserField(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	f, err := h.svc.UserField(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_field": h.userFieldView(r, f)})
	return nil
}

func (h *Handler) createUserField(w http.ResponseWriter, r *http.Request) error {
	a, in, err := h.decodeUserField(r)
	if err != nil {
		return err
	}
	f, err := h.svc.CreateUserField(r.Context(), a, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"user_field": h.userFieldView(r, f)})
	return nil
}

func (h *Handler) updateUserField(w http.ResponseWriter, r *http.Request) error {
	a, in, err := h.decodeUserField(r)
	if err != nil {
		return err
	}
	f, err := h.svc.UpdateUserField(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_field": h.userFieldView(r, f)})
	return nil
}

// decodeUserField authenticates and reads the {"user_field": {...}} body.
func (h *Handler) decodeUserField(r *http.Request) (directory.Actor, directory.UserFieldInput, error) {
	a, err := actor(r)
	if err != nil {
		return a, directory.UserFieldInput{}, err
	}
	obj, err := readObject(r)
	if err != nil {
		return a, directory.UserFieldInput{}, err
	}
	inner, err := member(obj, "user_field")
	if err != nil {
		return a, directory.UserFieldInput{}, err
	}
	in, err := userFieldInput(inner)
	return a, in, err
}

func (h *Handler) deleteUserField(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteUserField(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reorderUserFields answers 200 with an empty body, as Zendesk does.
func (h *Handler) reorderUserFields(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	obj, err := readObject(r)
	if err != nil {
		return err
	}
	var ids []int64
	if raw, ok := obj["user_field_ids"]; !ok || json.Unmarshal(raw, &ids) != nil {
		var v directory.Invalid
		v.Add("user_field_ids", "InvalidValue", "must be an array of user field ids")
		return v.Err()
	}
	if err := h.svc.ReorderUserFields(r.Context(), a, ids); err != nil {
		return err
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

func (h *Handler) listUserFieldOptions(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	f, err := h.svc.UserField(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeMemoryList(w, r, h.linker(r), "custom_field_options", f.Options, func(o *directory.FieldOption) any {
		return h.fieldOptionView(r, f, o)
	})
}

// optionPath authenticates a request on /user_fields/{id}/options/{option}
// and reads the option's id.
func optionPath(r *http.Request) (directory.Actor, int64, error) {
	a, err := actor(r)
	if err != nil {
		return a, 0, err
	}
	optionID, err := strconv.ParseInt(r.PathValue("option"), 10, 64)
	if err != nil {
		return a, 0, directory.ErrNotFound
	}
	return a, optionID, nil
}

func (h *Handler) showUserFieldOption(w http.ResponseWriter, r *http.Request) error {
	a, optionID, err := optionPath(r)
	if err != nil {
		return err
	}
	f, o, err := h.svc.UserFieldOption(r.Context(), a, r.PathValue("id"), optionID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"custom_field_option": h.fieldOptionView(r, f, o)})
	return nil
}

// createOrUpdateUserFieldOption answers 201 for a new option and 200 for
// an update of the option whose id was sent.
func (h *Handler) createOrUpdateUserFieldOption(w http.ResponseWriter, r *http.Request) error {
	a, err := actor(r)
	if err != nil {
		return err
	}
	obj, err := readObject(r)
	if err != nil {
		return err
	}
	inner, err := member(obj, "custom_field_option")
	if err != nil {
		return err
	}
	in, err := fieldOptionInput(inner)
	if err != nil {
		return err
	}
	f, o, created, err := h.svc.PutUserFieldOption(r.Context(), a, r.PathValue("id"), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, map[string]any{"custom_field_option": h.fieldOptionView(r, f, o)})
	return nil
}

func (h *Handler) deleteUserFieldOption(w http.ResponseWriter, r *http.Request) error {
	a, optionID, err := optionPath(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteUserFieldOption(r.Context(), a, r.PathValue("id"), optionID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeMemoryList pages a short list held in memory (a realm's fields, a
// field's options) by offset or by cursor. A cursor holds a position in
// the list (from 1) rather than an id, as such lists are ordered by
// position.
func writeMemoryList[T any](w http.ResponseWriter, r *http.Request, l linker, key string, list []T, view func(*T) any) error {
	p, err := parsePage(r.URL.Query())
	if err != nil {
		return err
	}
	if p.descending {
		list = slices.Clone(list)
		slices.Reverse(list)
	}
	n := len(list)
	if !p.cursor {
		start := min((p.page-1)*p.size, n)
		items := make([]any, 0, min(p.size, n-start))
		for i := start; i < min(start+p.size, n); i++ {
			items = append(items, view(&list[i]))
		}
		return writeList(w, key, items, l.offset(p, int64(n)))
	}
	// The rows of the page plus one, as storePage would fetch them.
	start, end := 0, min(p.size+1, n)
	switch {
	case p.after != 0:
		start, end = min(int(min(p.after, int64(n))), n), min(int(min(p.after, int64(n)))+p.size+1, n)
	case p.before != 0:
		end = max(int(min(p.before, int64(n+1)))-1, 0)
		start = max(end-p.size-1, 0)
	}
	positions := make([]int, 0, end-start)
	for i := start; i < end; i++ {
		positions = append(positions, i)
	}
	positions, links := cursorPage(l, p, positions, func(i int) int64 { return int64(i) + 1 })
	items := make([]any, len(positions))
	for j, i := range positions {
		items[j] = view(&list[i])
	}
	return writeList(w, key, items, links)
}

// presentUserFields is a user's user_fields as Zendesk shows them: every
// field of the realm by key, null where the user has no value; values of
// keys that name no field (any more) are left out.
func (h *Handler) presentUserFields(r *http.Request, realmID int64, values map[string]any) map[string]any {
	keys, err := h.svc.UserFieldKeys(r.Context(), realmID)
	if err != nil {
		h.log.ErrorContext(r.Context(), "loading user fields", "err", err)
	}
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		out[k] = values[k]
	}
	return out
}
