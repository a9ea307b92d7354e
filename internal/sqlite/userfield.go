package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/clientele/clientele/internal/directory"
)

const userFieldColumns = `id, realm_id, key, type, title, raw_title, description, raw_description, position,
	active, regexp_for_validation, tag, relationship_target_type, relationship_filter, created_at, updated_at,
	customer_visible, customer_editable, required, unique_values`

// CreateUserField inserts f and its options, setting their ids.
func (s *Store) CreateUserField(ctx context.Context, realmID int64, f *directory.UserField) error {
	f.RealmID = realmID
	filter, err := filterJSON(f.RelationshipFilter)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO user_fields (realm_id, key, type, title, raw_title, description,
			raw_description, position, active, regexp_for_validation, tag, relationship_target_type, relationship_filter,
			created_at, updated_at, customer_visible, customer_editable, required, unique_values) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			realmID, f.Key, string(f.Type), f.Title, f.RawTitle, f.Description, f.RawDescription, f.Position, f.Active,
			f.RegexpForValidation, f.Tag, f.RelationshipTargetType, filter, f.CreatedAt.Unix(), f.UpdatedAt.Unix(),
			f.CustomerVisible, f.CustomerEditable, f.Required, f.Unique).Scan(&f.ID)
		if err != nil {
			return err
		}
		return writeFieldOptions(ctx, tx, realmID, f)
	})
}

// UpdateUserField writes f and makes its options exactly f.Options.
func (s *Store) UpdateUserField(ctx context.Context, realmID int64, f *directory.UserField) error {
	filter, err := filterJSON(f.RelationshipFilter)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE user_fields SET title = ?, raw_title = ?, description = ?, raw_description = ?,
			position = ?, active = ?, regexp_for_validation = ?, tag = ?, relationship_target_type = ?, relationship_filter = ?,
			updated_at = ?, customer_visible = ?, customer_editable = ?, required = ?, unique_values = ? WHERE realm_id = ? AND id = ?`,
			f.Title, f.RawTitle, f.Description, f.RawDescription, f.Position, f.Active, f.RegexpForValidation, f.Tag,
			f.RelationshipTargetType, filter, f.UpdatedAt.Unix(), f.CustomerVisible, f.CustomerEditable, f.Required, f.Unique, realmID, f.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		return writeFieldOptions(ctx, tx, realmID, f)
	})
}

// writeFieldOptions makes the stored options of f exactly f.Options.
func writeFieldOptions(ctx context.Context, tx *sql.Tx, realmID int64, f *directory.UserField) error {
	keep, err := json.Marshal(optionIDs(f.Options))
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_field_options WHERE realm_id = ? AND field_id = ?
		AND id NOT IN (SELECT value FROM json_each(?))`, realmID, f.ID, string(keep)); err != nil {
		return err
	}
	for i := range f.Options {
		o := &f.Options[i]
		if o.ID != 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE user_field_options SET name = ?, raw_name = ?, value = ?, position = ?
				WHERE realm_id = ? AND field_id = ? AND id = ?`, o.Name, o.RawName, o.Value, o.Position, realmID, f.ID, o.ID); err != nil {
				return err
			}
			continue
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO user_field_options (realm_id, field_id, name, raw_name, value, position)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, realmID, f.ID, o.Name, o.RawName, o.Value, o.Position).Scan(&o.ID); err != nil {
			return err
		}
	}
	return nil
}

// optionIDs are the ids of the options that exist already.
func optionIDs(options []directory.FieldOption) []int64 {
	ids := []int64{}
	for _, o := range options {
		if o.ID != 0 {
			ids = append(ids, o.ID)
		}
	}
	return ids
}

// DeleteUserField deletes the field, its options and every user's value
// of it, rewriting those users (their search text indexes the value).
func (s *Store) DeleteUserField(ctx context.Context, realmID int64, f *directory.UserField) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM user_fields WHERE realm_id = ? AND id = ?`, realmID, f.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return directory.ErrNotFound
		}
		// A scan of the realm's users, of which only those holding a value
		// are rewritten; deleting a field is a rare administrative act.
		path := `$."` + f.Key + `"` // keys are letters, digits and underscores
		rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE realm_id = ? AND json_type(user_fields, ?) IS NOT NULL`, realmID, path)
		if err != nil {
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, id := range ids {
			u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE realm_id = ? AND id = ?`, realmID, id))
			if err != nil {
				return err
			}
			delete(u.UserFields, f.Key)
			if err := updateUserRow(ctx, tx, realmID, u); err != nil {
				return err
			}
		}
		return nil
	})
}

// UserFields lists the realm's fields with their options, by position.
func (s *Store) UserFields(ctx context.Context, realmID int64) ([]directory.UserField, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+userFieldColumns+` FROM user_fields WHERE realm_id = ? ORDER BY position, id`, realmID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fields := []directory.UserField{}
	index := map[int64]int{}
	for rows.Next() {
		var f directory.UserField
		var typ string
		var filter sql.NullString
		var created, updated int64
		if err := rows.Scan(&f.ID, &f.RealmID, &f.Key, &typ, &f.Title, &f.RawTitle, &f.Description, &f.RawDescription,
			&f.Position, &f.Active, &f.RegexpForValidation, &f.Tag, &f.RelationshipTargetType, &filter, &created, &updated,
			&f.CustomerVisible, &f.CustomerEditable, &f.Required, &f.Unique); err != nil {
			return nil, err
		}
		f.Type = directory.UserFieldType(typ)
		if filter.Valid {
			if err := json.Unmarshal([]byte(filter.String), &f.RelationshipFilter); err != nil {
				return nil, fmt.Errorf("sqlite: user field %d relationship_filter: %w", f.ID, err)
			}
		}
		f.CreatedAt, f.UpdatedAt = fromUnix(sql.NullInt64{Int64: created, Valid: true}), fromUnix(sql.NullInt64{Int64: updated, Valid: true})
		index[f.ID] = len(fields)
		fields = append(fields, f)
	}
	if err := rows.Err(); err != nil || len(fields) == 0 {
		return fields, err
	}
	opts, err := s.read.QueryContext(ctx, `SELECT id, field_id, name, raw_name, value, position FROM user_field_options
		WHERE realm_id = ? ORDER BY field_id, position, id`, realmID)
	if err != nil {
		return nil, err
	}
	defer opts.Close()
	for opts.Next() {
		var o directory.FieldOption
		var fieldID int64
		if err := opts.Scan(&o.ID, &fieldID, &o.Name, &o.RawName, &o.Value, &o.Position); err != nil {
			return nil, err
		}
		if i, ok := index[fieldID]; ok {
			fields[i].Options = append(fields[i].Options, o)
		}
	}
	return fields, opts.Err()
}

// ReorderUserFields sets each field's position to its index in ids.
func (s *Store) ReorderUserFields(ctx context.Context, realmID int64, ids []int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE user_fields SET position = ? WHERE realm_id = ? AND id = ?`, i, realmID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// filterJSON stores a lookup field's filter as JSON, nil as NULL.
func filterJSON(filter map[string]any) (any, error) {
	if filter == nil {
		return nil, nil
	}
	b, err := json.Marshal(filter)
	return string(b), err
}
