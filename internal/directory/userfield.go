package directory

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// User fields.
//
// A UserField defines a custom field of a realm's users: its key, its type
// and, for dropdowns and multiselects, its options. A user's values live in
// User.UserFields keyed by field key, validated against the definition on
// every write (UserInput.UserFields): values for keys that name no active
// field are ignored, as Zendesk ignores them, and null clears a value.

// UserFieldType is the type of a custom user field, spelled as on the wire.
type UserFieldType string

// The types of custom user fields.
const (
	FieldText        UserFieldType = "text"
	FieldTextarea    UserFieldType = "textarea"
	FieldCheckbox    UserFieldType = "checkbox"
	FieldDate        UserFieldType = "date"
	FieldInteger     UserFieldType = "integer"
	FieldDecimal     UserFieldType = "decimal"
	FieldRegexp      UserFieldType = "regexp"
	FieldDropdown    UserFieldType = "dropdown"
	FieldMultiselect UserFieldType = "multiselect"
	FieldLookup      UserFieldType = "lookup"
)

// fieldTypes lists every type, for validation and error messages.
var fieldTypes = []UserFieldType{FieldText, FieldTextarea, FieldCheckbox, FieldDate, FieldInteger,
	FieldDecimal, FieldRegexp, FieldDropdown, FieldMultiselect, FieldLookup}

// HasOptions reports whether fields of type t take their values from a
// list of options.
func (t UserFieldType) HasOptions() bool { return t == FieldDropdown || t == FieldMultiselect }

// Limits on user field definitions.
const (
	// MaxUserFields is the most fields a realm may define: every user
	// read lists them, so the list must stay small.
	MaxUserFields = 400
	// MaxFieldOptions is the most options one dropdown or multiselect may
	// have.
	MaxFieldOptions = 2000
	// DefaultFieldPosition is the position of a field created without
	// one, as in Zendesk's recorded responses; fields of equal position
	// are listed in creation order.
	DefaultFieldPosition = 9999
)

// UserField is the definition of a custom user field.
type UserField struct {
	ID      int64
	RealmID int64
	// Key names the field in users' user_fields; it never changes.
	Key string
	// Type never changes after creation.
	Type           UserFieldType
	Title          string
	RawTitle       string
	Description    string
	RawDescription string
	Position       int
	Active         bool
	// RegexpForValidation is the pattern values of a regexp field must
	// match; "" for other types.
	RegexpForValidation string
	// Tag is the tag a checked checkbox adds to the user; "" for none.
	Tag string
	// Options are a dropdown's or a multiselect's choices, by position.
	Options []FieldOption
	// RelationshipTargetType is what a lookup field points at
	// ("zen:user", "zen:organization", "zen:ticket",
	// "zen:custom_object:KEY"); "" for other types.
	RelationshipTargetType string
	// RelationshipFilter is a lookup field's filter, kept as sent; nil
	// for none.
	RelationshipFilter map[string]any
	// CustomerVisible shows the field to the customer in the Customers
	// API's me; CustomerEditable (which needs CustomerVisible) lets them
	// change it there. Modyo's "visible to" and "editable by site users".
	CustomerVisible  bool
	CustomerEditable bool
	// Required and Unique are Modyo's flags, enforced on the Customers
	// API's writes only (UserInput.FieldRules and UpdateProfile): a
	// required field must have a value, a unique one's value belongs to
	// one active user. Unique applies to single values (text, numbers,
	// dates, dropdowns).
	Required  bool
	Unique    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FieldOption is one choice of a dropdown or multiselect field. Value is
// what users' user_fields hold.
type FieldOption struct {
	ID       int64
	Name     string
	RawName  string
	Value    string
	Position int
}

// UserFieldInput carries the writable attributes of a user field. A nil
// pointer means "not sent".
type UserFieldInput struct {
	Key                 *string
	Type                *string
	Title               *string
	RawTitle            *string
	Description         *string
	RawDescription      *string
	Position            *int
	Active              *bool
	RegexpForValidation *string
	Tag                 *string
	// Options, when sent, replaces every option: an option with an id
	// updates that option, one without creates one, and options not sent
	// are deleted.
	Options                *[]FieldOptionInput
	RelationshipTargetType *string
	// RelationshipFilter, when SetRelationshipFilter, replaces the
	// filter (nil clears it).
	RelationshipFilter    map[string]any
	SetRelationshipFilter bool
	// CustomerVisible and CustomerEditable set the Customers API flags.
	CustomerVisible  *bool
	CustomerEditable *bool
	// Required and Unique set Modyo's flags.
	Required *bool
	Unique   *bool
	// MaxFields, when not 0, is the most fields the realm may have for a
	// create to pass: the Customers API's MaxCustomerFields.
	MaxFields int
}

// MaxCustomerFields is Modyo's limit of custom fields per realm, which
// the Customers API's creates keep; the Zendesk API keeps its own,
// MaxUserFields.
const MaxCustomerFields = 20

// FieldOptionInput is an option as sent: ID 0 creates one.
type FieldOptionInput struct {
	ID       int64
	Name     *string
	RawName  *string
	Value    *string
	Position *int
}

// UserFieldStore keeps user field definitions. Stores remove a deleted
// field's values from users in the same transaction.
type UserFieldStore interface {
	// CreateUserField inserts f and its options, setting their ids.
	CreateUserField(ctx context.Context, realmID int64, f *UserField) error
	// UpdateUserField writes f and makes its options exactly f.Options:
	// options with an id are updated, options with id 0 are inserted (and
	// get their ids), the field's other options are deleted.
	UpdateUserField(ctx context.Context, realmID int64, f *UserField) error
	// DeleteUserField deletes the field and its options, and removes the
	// field's key from every user of the realm, in one transaction.
	DeleteUserField(ctx context.Context, realmID int64, f *UserField) error
	// UserFields lists the realm's fields with their options, ordered by
	// position, then id.
	UserFields(ctx context.Context, realmID int64) ([]UserField, error)
	// ReorderUserFields sets the position of each field in ids to its
	// index in ids.
	ReorderUserFields(ctx context.Context, realmID int64, ids []int64) error
}

// FieldKeysTTL is how long UserFieldKeys may answer from memory. A field
// created or deleted through another node shows on this node's users
// after at most this long; through this node, at once.
const FieldKeysTTL = 2 * time.Second

// fieldKeyCache holds recently read field keys by realm.
type fieldKeyCache struct {
	mu      sync.Mutex
	byRealm map[int64]cachedKeys
}

type cachedKeys struct {
	keys []string
	at   time.Time // from the monotonic clock, not the Service's
}

// UserFieldKeys returns the keys of the realm's user fields, which every
// rendered user lists, from a cache refreshed every FieldKeysTTL: reading
// the fields on each request would cost every user read a query.
func (s *Service) UserFieldKeys(ctx context.Context, realmID int64) ([]string, error) {
	c := s.fieldKeys
	c.mu.Lock()
	cached, ok := c.byRealm[realmID]
	c.mu.Unlock()
	if ok && time.Since(cached.at) < FieldKeysTTL {
		return cached.keys, nil
	}
	fields, err := s.store.UserFields(ctx, realmID)
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(fields))
	for i, f := range fields {
		keys[i] = f.Key
	}
	c.mu.Lock()
	c.byRealm[realmID] = cachedKeys{keys: keys, at: time.Now()}
	c.mu.Unlock()
	return keys, nil
}

// forgetFieldKeys drops the realm's cached keys after a change of its
// fields.
func (s *Service) forgetFieldKeys(realmID int64) {
	s.fieldKeys.mu.Lock()
	delete(s.fieldKeys.byRealm, realmID)
	s.fieldKeys.mu.Unlock()
}

// UserFields lists the realm's user fields, ordered by position.
func (s *Service) UserFields(ctx context.Context, a Actor) ([]UserField, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	return s.store.UserFields(ctx, a.RealmID)
}

// UserField finds a field by id or, when idOrKey is not a number, by key.
func (s *Service) UserField(ctx context.Context, a Actor, idOrKey string) (*UserField, error) {
	if err := requireStaff(a); err != nil {
		return nil, err
	}
	fields, err := s.store.UserFields(ctx, a.RealmID)
	if err != nil {
		return nil, err
	}
	return findUserField(fields, idOrKey)
}

func findUserField(fields []UserField, idOrKey string) (*UserField, error) {
	id, err := strconv.ParseInt(idOrKey, 10, 64)
	for i := range fields {
		if (err == nil && fields[i].ID == id) || (err != nil && fields[i].Key == idOrKey) {
			return &fields[i], nil
		}
	}
	return nil, ErrNotFound
}

// CreateUserField validates in and stores a new field. Only admins define
// fields.
func (s *Service) CreateUserField(ctx context.Context, a Actor, in UserFieldInput) (*UserField, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	fields, err := s.store.UserFields(ctx, a.RealmID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	f := &UserField{RealmID: a.RealmID, Type: FieldText, Position: DefaultFieldPosition, Active: true,
		CreatedAt: now, UpdatedAt: now}
	var v Invalid
	key := ""
	if in.Key != nil {
		key = trimmed(*in.Key)
	}
	switch {
	case key == "":
		v.Add("key", "BlankValue", "cannot be blank")
	case !validFieldKey(key):
		v.Add("key", "InvalidValue", "may contain only letters, digits and underscores, not only digits, at most 64 characters")
	case slices.ContainsFunc(fields, func(o UserField) bool { return o.Key == key }):
		v.Add("key", "DuplicateValue", "has already been taken")
	}
	f.Key = key
	if in.Type != nil {
		t := UserFieldType(trimmed(*in.Type))
		if !slices.Contains(fieldTypes, t) {
			v.Add("type", "InvalidValue", "must be one of text, textarea, checkbox, date, integer, decimal, regexp, dropdown, multiselect, lookup")
		}
		f.Type = t
	}
	if len(fields) >= MaxUserFields {
		v.Add("base", "TooManyFields", "a realm may have at most "+strconv.Itoa(MaxUserFields)+" user fields")
	} else if in.MaxFields > 0 && len(fields) >= in.MaxFields {
		v.Add("base", "TooManyFields", "a realm may have at most "+strconv.Itoa(in.MaxFields)+" custom fields")
	}
	applyUserFieldInput(&v, f, in, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.store.CreateUserField(ctx, a.RealmID, f); err != nil {
		return nil, err
	}
	s.forgetFieldKeys(a.RealmID)
	return f, nil
}

// UpdateUserField applies in to the field idOrKey. Its key and type cannot
// change: sending them with other values is an error, sending them
// unchanged (as clients that send the whole object do) is not.
func (s *Service) UpdateUserField(ctx context.Context, a Actor, idOrKey string, in UserFieldInput) (*UserField, error) {
	if err := requireAdmin(a); err != nil {
		return nil, err
	}
	old, err := s.UserField(ctx, a, idOrKey)
	if err != nil {
		return nil, err
	}
	f := *old
	f.Options = slices.Clone(old.Options)
	var v Invalid
	if in.Key != nil && trimmed(*in.Key) != f.Key {
		v.Add("key", "InvalidValue", "cannot be changed")
	}
	if in.Type != nil && UserFieldType(trimmed(*in.Type)) != f.Type {
		v.Add("type", "InvalidValue", "cannot be changed")
	}
	applyUserFieldInput(&v, &f, in, false)
	if err := v.Err(); err != nil {
		return nil, err
	}
	f.UpdatedAt = s.Now()
	if err := s.store.UpdateUserField(ctx, a.RealmID, &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// DeleteUserField deletes the field idOrKey and every user's value of it.
func (s *Service) DeleteUserField(ctx context.Context, a Actor, idOrKey string) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	f, err := s.UserField(ctx, a, idOrKey)
	if err != nil {
		return err
	}
	defer s.forgetFieldKeys(a.RealmID)
	return s.store.DeleteUserField(ctx, a.RealmID, f)
}

// ReorderUserFields puts the fields ids first, in that order; fields not
// named keep their positions after them. Every id must name a field of
// the realm.
func (s *Service) ReorderUserFields(ctx context.Context, a Actor, ids []int64) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	fields, err := s.store.UserFields(ctx, a.RealmID)
	if err != nil {
		return err
	}
	var v Invalid
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] || !slices.ContainsFunc(fields, func(f UserField) bool { return f.ID == id }) {
			v.Add("user_field_ids", "InvalidValue", "must name each of the realm's user fields at most once")
			break
		}
		seen[id] = true
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.store.ReorderUserFields(ctx, a.RealmID, ids)
}

// UserFieldOption finds option optionID of the field fieldID.
func (s *Service) UserFieldOption(ctx context.Context, a Actor, fieldID string, optionID int64) (*UserField, *FieldOption, error) {
	f, err := s.UserField(ctx, a, fieldID)
	if err != nil {
		return nil, nil, err
	}
	for i := range f.Options {
		if f.Options[i].ID == optionID {
			return f, &f.Options[i], nil
		}
	}
	return nil, nil, ErrNotFound
}

// PutUserFieldOption creates an option of a dropdown or multiselect field
// or, when in.ID names one of its options, updates that option. It reports
// whether it created.
func (s *Service) PutUserFieldOption(ctx context.Context, a Actor, fieldID string, in FieldOptionInput) (*UserField, *FieldOption, bool, error) {
	if err := requireAdmin(a); err != nil {
		return nil, nil, false, err
	}
	old, err := s.UserField(ctx, a, fieldID)
	if err != nil {
		return nil, nil, false, err
	}
	if !old.Type.HasOptions() {
		var v Invalid
		v.Add("custom_field_option", "InvalidValue", "only dropdown and multiselect fields have options")
		return nil, nil, false, v.Err()
	}
	inputs := make([]FieldOptionInput, 0, len(old.Options)+1)
	created := true
	for _, o := range old.Options {
		if in.ID != 0 && o.ID == in.ID {
			created = false
			inputs = append(inputs, in)
			continue
		}
		inputs = append(inputs, FieldOptionInput{ID: o.ID})
	}
	if in.ID != 0 && created {
		return nil, nil, false, ErrNotFound
	}
	if created {
		in.ID = 0
		inputs = append(inputs, in)
	}
	f, err := s.UpdateUserField(ctx, a, strconv.FormatInt(old.ID, 10), UserFieldInput{Options: &inputs})
	if err != nil {
		return nil, nil, false, err
	}
	// The option written is the one with in's id or, created, the new one.
	o := &f.Options[0]
	for i := range f.Options {
		if (in.ID != 0 && f.Options[i].ID == in.ID) || (in.ID == 0 && !slices.ContainsFunc(old.Options, func(x FieldOption) bool { return x.ID == f.Options[i].ID })) {
			o = &f.Options[i]
		}
	}
	return f, o, created, nil
}

// DeleteUserFieldOption deletes option optionID of the field fieldID.
// Users keep the value until their next write, which drops it as no
// longer valid.
func (s *Service) DeleteUserFieldOption(ctx context.Context, a Actor, fieldID string, optionID int64) error {
	if err := requireAdmin(a); err != nil {
		return err
	}
	f, _, err := s.UserFieldOption(ctx, a, fieldID, optionID)
	if err != nil {
		return err
	}
	inputs := []FieldOptionInput{}
	for _, o := range f.Options {
		if o.ID != optionID {
			inputs = append(inputs, FieldOptionInput{ID: o.ID})
		}
	}
	_, err = s.UpdateUserField(ctx, a, strconv.FormatInt(f.ID, 10), UserFieldInput{Options: &inputs})
	return err
}

// validFieldKey: letters, digits and underscores, not only digits.
func validFieldKey(k string) bool {
	if len(k) > 64 {
		return false
	}
	digits := true
	for _, r := range k {
		switch {
		case r >= '0' && r <= '9':
		case r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
			digits = false
		default:
			return false
		}
	}
	return !digits
}

// relationshipTarget matches the targets a lookup field may point at.
var relationshipTarget = regexp.MustCompile(`^zen:(user|organization|ticket|custom_object:[A-Za-z0-9_]+)$`)

// applyUserFieldInput validates in and applies it to f, collecting
// problems in v.
func applyUserFieldInput(v *Invalid, f *UserField, in UserFieldInput, creating bool) {
	if in.Title != nil || creating {
		title := ""
		if in.Title != nil {
			title = trimmed(*in.Title)
		}
		switch {
		case title == "":
			v.Add("title", "BlankValue", "cannot be blank")
		case !validText(title, maxShortText):
			v.Add("title", "InvalidValue", "is invalid or too long (maximum is 255 characters)")
		}
		// raw_title follows the title unless it is set on its own.
		if f.RawTitle == f.Title || creating {
			f.RawTitle = title
		}
		f.Title = title
	}
	setText(v, "raw_title", in.RawTitle, &f.RawTitle, maxShortText)
	if in.Description != nil {
		if f.RawDescription == f.Description {
			f.RawDescription = *in.Description
		}
		setText(v, "description", in.Description, &f.Description, maxLongText)
	}
	setText(v, "raw_description", in.RawDescription, &f.RawDescription, maxLongText)
	if in.Position != nil {
		if *in.Position < 0 || *in.Position > math.MaxInt32 {
			v.Add("position", "InvalidValue", "must be a positive number")
		}
		f.Position = *in.Position
	}
	if in.Active != nil {
		f.Active = *in.Active
	}
	if in.CustomerVisible != nil {
		f.CustomerVisible = *in.CustomerVisible
	}
	if in.CustomerEditable != nil {
		f.CustomerEditable = *in.CustomerEditable
	}
	if in.Required != nil {
		f.Required = *in.Required
	}
	if in.Unique != nil {
		f.Unique = *in.Unique
	}
	if f.Unique && !slices.Contains(uniqueFieldTypes, f.Type) {
		v.Add("unique", "InvalidValue", "only text, number, date and dropdown fields can be unique")
	}
	if f.CustomerEditable && !f.CustomerVisible {
		v.Add("customer_editable", "InvalidValue", "a field customers edit must be visible to them")
	}
	switch f.Type {
	case FieldRegexp:
		if in.RegexpForValidation != nil {
			f.RegexpForValidation = *in.RegexpForValidation
		}
		if f.RegexpForValidation == "" {
			v.Add("regexp_for_validation", "BlankValue", "cannot be blank for a regexp field")
		} else if _, err := regexp.Compile(f.RegexpForValidation); err != nil || len(f.RegexpForValidation) > maxShortText {
			v.Add("regexp_for_validation", "InvalidValue", "is not a valid regular expression")
		}
	case FieldCheckbox:
		setText(v, "tag", in.Tag, &f.Tag, maxShortText)
		if tags := NormalizeTags([]string{f.Tag}); f.Tag != "" && (len(tags) != 1 || tags[0] != f.Tag) {
			v.Add("tag", "InvalidValue", "must be a single tag (letters, digits, dashes and underscores)")
		}
	case FieldLookup:
		if in.RelationshipTargetType != nil {
			f.RelationshipTargetType = trimmed(*in.RelationshipTargetType)
		}
		if !relationshipTarget.MatchString(f.RelationshipTargetType) {
			v.Add("relationship_target_type", "InvalidValue", "must be zen:user, zen:organization, zen:ticket or zen:custom_object:KEY")
		}
		if in.SetRelationshipFilter {
			f.RelationshipFilter = in.RelationshipFilter
		}
	}
	if f.Type.HasOptions() {
		if in.Options != nil {
			applyFieldOptions(v, f, *in.Options)
		}
		if len(f.Options) == 0 {
			v.Add("custom_field_options", "BlankValue", "must have at least one option")
		}
	}
}

// applyFieldOptions replaces f's options with inputs: an input with an id
// starts from that option, one without from nothing.
func applyFieldOptions(v *Invalid, f *UserField, inputs []FieldOptionInput) {
	if len(inputs) > MaxFieldOptions {
		v.Add("custom_field_options", "InvalidValue", "are too many (maximum is "+strconv.Itoa(MaxFieldOptions)+")")
		return
	}
	out := make([]FieldOption, 0, len(inputs))
	values := map[string]bool{}
	for i, in := range inputs {
		var o FieldOption
		if in.ID != 0 {
			j := slices.IndexFunc(f.Options, func(x FieldOption) bool { return x.ID == in.ID })
			if j < 0 {
				v.Add("custom_field_options", "InvalidValue", "option "+strconv.FormatInt(in.ID, 10)+" is not an option of this field")
				continue
			}
			o = f.Options[j]
		}
		o.Position = i
		if in.Position != nil {
			if *in.Position < 0 || *in.Position > math.MaxInt32 {
				v.Add("custom_field_options", "InvalidValue", "option positions must be from 0 to 2147483647")
				continue
			}
			o.Position = *in.Position
		}
		if in.Name != nil {
			if o.RawName == o.Name {
				o.RawName = trimmed(*in.Name)
			}
			o.Name = trimmed(*in.Name)
		}
		if in.RawName != nil {
			o.RawName = trimmed(*in.RawName)
		}
		if in.Value != nil {
			o.Value = trimmed(*in.Value)
		}
		switch {
		case o.Name == "" || o.Value == "":
			v.Add("custom_field_options", "BlankValue", "each option needs a name and a value")
		case !validText(o.Name, maxShortText) || !validText(o.RawName, maxShortText) || !validText(o.Value, maxShortText):
			v.Add("custom_field_options", "InvalidValue", "option names and values are at most 255 characters")
		case values[o.Value]:
			v.Add("custom_field_options", "DuplicateValue", "option value "+strconv.Quote(o.Value)+" is used twice")
		}
		values[o.Value] = true
		out = append(out, o)
	}
	slices.SortStableFunc(out, func(a, b FieldOption) int { return cmp.Compare(a.Position, b.Position) })
	f.Options = out
}

// applyUserFieldInput applies the user_fields sent (nil: none) to u, with
// the realm's field definitions loaded only when there are values.
func (s *Service) applyUserFieldInput(ctx context.Context, u *User, values map[string]any) error {
	if len(values) == 0 {
		return nil
	}
	fields, err := s.store.UserFields(ctx, u.RealmID)
	if err != nil {
		return err
	}
	return s.applyUserFieldValues(ctx, u, values, fields)
}

// applyUserFieldValues validates the values sent against their fields and
// applies them to u: a key naming no active field is ignored, null (or an
// empty string or list) clears the value, anything else must fit the
// field's type and is stored in its canonical form. A checkbox with a tag
// adds the tag to the user when checked and removes it when unchecked.
func (s *Service) applyUserFieldValues(ctx context.Context, u *User, values map[string]any, fields []UserField) error {
	var v Invalid
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys) // a deterministic order of tag changes and errors
	for _, key := range keys {
		i := slices.IndexFunc(fields, func(f UserField) bool { return f.Key == key })
		if i < 0 || !fields[i].Active {
			continue
		}
		f := &fields[i]
		value, err := s.fieldValue(ctx, u.RealmID, f, values[key])
		if err != "" {
			v.Add("user_fields."+key, "InvalidValue", err)
			continue
		}
		if f.Type == FieldCheckbox && f.Tag != "" {
			u.Tags = slices.DeleteFunc(u.Tags, func(t string) bool { return t == f.Tag })
			if value == true {
				u.Tags = append(u.Tags, f.Tag)
			}
		}
		if u.UserFields == nil {
			u.UserFields = map[string]any{}
		}
		if value == nil {
			delete(u.UserFields, key)
		} else {
			u.UserFields[key] = value
		}
	}
	return v.Err()
}

// fieldValue is raw as a value of f in canonical form (nil to clear), or
// the reason it is not one.
func (s *Service) fieldValue(ctx context.Context, realmID int64, f *UserField, raw any) (any, string) {
	if raw == nil {
		return nil, ""
	}
	if n, ok := raw.(json.Number); ok {
		// Decoders that keep numbers exact (user import's JSON Lines, the
		// Customers API) hand them over as json.Number; its text is what
		// every field type below parses.
		raw = n.String()
	}
	if str, ok := raw.(string); ok && trimmed(str) == "" {
		return nil, ""
	}
	switch f.Type {
	case FieldText, FieldTextarea, FieldRegexp:
		str, ok := scalarText(raw)
		max := maxShortText
		if f.Type == FieldTextarea {
			max = maxLongText
		}
		if !ok || !validText(str, max) {
			return nil, "must be text of at most " + strconv.Itoa(max) + " characters"
		}
		if f.Type == FieldRegexp {
			re, err := regexp.Compile(f.RegexpForValidation)
			if err != nil || !re.MatchString(str) {
				return nil, "does not match " + f.RegexpForValidation
			}
		}
		return str, ""
	case FieldCheckbox:
		switch x := raw.(type) {
		case bool:
			return x, ""
		case string:
			if b, err := strconv.ParseBool(trimmed(x)); err == nil {
				return b, ""
			}
		case float64:
			if x == 0 || x == 1 {
				return x == 1, ""
			}
		}
		return nil, "must be true or false"
	case FieldDate:
		str, _ := raw.(string)
		str = trimmed(str)
		if len(str) > 10 {
			// An RFC 3339 time: its date counts, as Zendesk keeps dates only.
			if t, err := time.Parse(time.RFC3339, str); err == nil {
				str = t.Format(time.DateOnly)
			}
		}
		d, err := time.Parse(time.DateOnly, str)
		if err != nil || d.Year() < 1 {
			// Year 0000 parses, but is no date PostgreSQL (or Zendesk)
			// keeps.
			return nil, "must be a date (YYYY-MM-DD)"
		}
		return d.Format("2006-01-02T15:04:05Z"), ""
	case FieldInteger:
		n, ok := integerValue(raw)
		if !ok {
			return nil, "must be a whole number"
		}
		return float64(n), ""
	case FieldDecimal:
		switch x := raw.(type) {
		case float64:
			return x, ""
		case string:
			if d, err := strconv.ParseFloat(strings.Replace(trimmed(x), ",", ".", 1), 64); err == nil && !math.IsInf(d, 0) && !math.IsNaN(d) {
				return d, ""
			}
		}
		return nil, "must be a number"
	case FieldDropdown:
		str, _ := raw.(string)
		if !slices.ContainsFunc(f.Options, func(o FieldOption) bool { return o.Value == str }) {
			return nil, "must be the value of one of the field's options"
		}
		return str, ""
	case FieldMultiselect:
		var sent []any
		switch x := raw.(type) {
		case []any:
			sent = x
		case string:
			sent = []any{x}
		default:
			return nil, "must be a list of option values"
		}
		chosen := map[string]bool{}
		for _, el := range sent {
			str, _ := el.(string)
			if !slices.ContainsFunc(f.Options, func(o FieldOption) bool { return o.Value == str }) {
				return nil, "must list values of the field's options"
			}
			chosen[str] = true
		}
		if len(chosen) == 0 {
			return nil, ""
		}
		// Stored in the options' order, so equal choices compare equal.
		out := []any{}
		for _, o := range f.Options {
			if chosen[o.Value] {
				out = append(out, o.Value)
			}
		}
		return out, ""
	case FieldLookup:
		n, ok := integerValue(raw)
		if !ok || n <= 0 {
			return nil, "must be the id of a record"
		}
		if f.RelationshipTargetType == "zen:user" {
			if _, err := s.store.UserByID(ctx, realmID, n); err != nil {
				return nil, "must be the id of a user of this realm"
			}
		}
		return float64(n), ""
	}
	return nil, "has an unknown type"
}

// scalarText is a string, number or boolean as text.
func scalarText(raw any) (string, bool) {
	switch x := raw.(type) {
	case string:
		return trimmed(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// maxExactInteger bounds whole-number values: user_fields are kept as
// JSON, where numbers beyond 2^53 lose digits.
const maxExactInteger = 1 << 53

// integerValue is a whole number sent as a number or as digits. Values are
// stored as float64, the type they read back as from JSON, so a value
// written and one read back compare equal.
func integerValue(raw any) (int64, bool) {
	var n int64
	switch x := raw.(type) {
	case float64:
		if x != math.Trunc(x) || math.Abs(x) >= maxExactInteger {
			return 0, false
		}
		n = int64(x)
	case string:
		var err error
		if n, err = strconv.ParseInt(trimmed(x), 10, 64); err != nil {
			return 0, false
		}
	default:
		return 0, false
	}
	return n, n > -maxExactInteger && n < maxExactInteger
}
