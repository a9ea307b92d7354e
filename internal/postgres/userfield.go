package postgres

import (
	"context"

	"github.com/clientele/clientele/internal/directory"
	"github.com/jackc/pgx/v5"
)

const userFieldColumns = `id, realm_id, key, type, title, raw_title, description, raw_description, position,
	active, regexp_for_validation, tag, relationship_target_type, relationship_filter, created_at, updated_at,
	customer_visible, customer_editable, required, unique_values`

// CreateUserField inserts f and its options, setting their ids.
func (s *Store) CreateUserField(ctx context.Context, realmID int64, f *directory.UserField) error {
	f.RealmID = realmID
	return s.tx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO user_fields (realm_id, key, type, title, raw_title, description,
			raw_description, position, active, regexp_for_validation, tag, relationship_target_type, relationship_filter,
			created_at, updated_at, customer_visible, customer_editable, required, unique_values) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`,
			realmID, f.Key, string(f.Type), f.Title, f.RawTitle, f.Description, f.RawDescription, f.Position, f.Active,
			f.RegexpForValidation, f.Tag, f.RelationshipTargetType, f.RelationshipFilter, at(f.CreatedAt), at(f.UpdatedAt),
			f.CustomerVisible, f.CustomerEditable, f.Required, f.Unique).Scan(&f.ID)
		if err != nil {
			return err
		}
		return writeFieldOptions(ctx, tx, realmID, f)
	})
}

// UpdateUserField writes f and makes its options exactly f.Options.
func (s *Store) UpdateUserField(ctx context.Context, realmID int64, f *directory.UserField) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE user_fields SET title = $1, raw_title = $2, description = $3, raw_description = $4,
			position = $5, active = $6, regexp_for_validation = $7, tag = $8, relationship_target_type = $9,
			relationship_filter = $10, updated_at = $11, customer_visible = $12, customer_editable = $13,
			required = $14, unique_values = $15 WHERE realm_id = $16 AND id = $17`,
			f.Title, f.RawTitle, f.Description, f.RawDescription, f.Position, f.Active, f.RegexpForValidation, f.Tag,
			f.RelationshipTargetType, f.RelationshipFilter, at(f.UpdatedAt), f.CustomerVisible, f.CustomerEditable, f.Required, f.Unique, realmID, f.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		return writeFieldOptions(ctx, tx, realmID, f)
	})
}

// writeFieldOptions makes the stored options of f exactly f.Options.
func writeFieldOptions(ctx context.Context, tx pgx.Tx, realmID int64, f *directory.UserField) error {
	keep := []int64{}
	for _, o := range f.Options {
		if o.ID != 0 {
			keep = append(keep, o.ID)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM user_field_options WHERE realm_id = $1 AND field_id = $2 AND NOT (id = ANY($3))`,
		realmID, f.ID, keep); err != nil {
		return err
	}
	for i := range f.Options {
		o := &f.Options[i]
		if o.ID != 0 {
			if _, err := tx.Exec(ctx, `UPDATE user_field_options SET name = $1, raw_name = $2, value = $3, position = $4
				WHERE realm_id = $5 AND field_id = $6 AND id = $7`, o.Name, o.RawName, o.Value, o.Position, realmID, f.ID, o.ID); err != nil {
				return err
			}
			continue
		}
		if err := tx.QueryRow(ctx, `INSERT INTO user_field_options (realm_id, field_id, name, raw_name, value, position)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, realmID, f.ID, o.Name, o.RawName, o.Value, o.Position).Scan(&o.ID); err != nil {
			return err
		}
	}
	return nil
}

// DeleteUserField deletes the field, its options and every user's value
// of it, rewriting those users (their search text indexes the value).
func (s *Store) DeleteUserField(ctx context.Context, realmID int64, f *directory.UserField) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM user_fields WHERE realm_id = $1 AND id = $2`, realmID, f.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return directory.ErrNotFound
		}
		// Only users holding a value are rewritten, locked as they are read;
		// deleting a field is a rare administrative act.
		users, err := all(ctx, tx, scanUser, `SELECT `+userColumns+` FROM users
			WHERE realm_id = $1 AND user_fields ? $2::text ORDER BY id FOR UPDATE`, realmID, f.Key)
		if err != nil {
			return err
		}
		for i := range users {
			delete(users[i].UserFields, f.Key)
			if _, err := tx.Exec(ctx, updateUserSQL, updateUserArgs(realmID, &users[i])...); err != nil {
				return err
			}
		}
		return nil
	})
}

// UserFields lists the realm's fields with their options, by position.
func (s *Store) UserFields(ctx context.Context, realmID int64) ([]directory.UserField, error) {
	fields, err := all(ctx, s.pool, func(row pgx.CollectableRow) (directory.UserField, error) {
		var f directory.UserField
		var typ string
		err := row.Scan(&f.ID, &f.RealmID, &f.Key, &typ, &f.Title, &f.RawTitle, &f.Description, &f.RawDescription,
			&f.Position, &f.Active, &f.RegexpForValidation, &f.Tag, &f.RelationshipTargetType, &f.RelationshipFilter,
			&f.CreatedAt, &f.UpdatedAt, &f.CustomerVisible, &f.CustomerEditable, &f.Required, &f.Unique)
		f.Type = directory.UserFieldType(typ)
		f.CreatedAt, f.UpdatedAt = f.CreatedAt.UTC(), f.UpdatedAt.UTC()
		return f, err
	}, `SELECT `+userFieldColumns+` FROM user_fields WHERE realm_id = $1 ORDER BY position, id`, realmID)
	if err != nil || len(fields) == 0 {
		return fields, err
	}
	index := map[int64]int{}
	for i, f := range fields {
		index[f.ID] = i
	}
	rows, err := s.pool.Query(ctx, `SELECT id, field_id, name, raw_name, value, position FROM user_field_options
		WHERE realm_id = $1 ORDER BY field_id, position, id`, realmID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var o directory.FieldOption
		var fieldID int64
		if err := rows.Scan(&o.ID, &fieldID, &o.Name, &o.RawName, &o.Value, &o.Position); err != nil {
			return nil, err
		}
		if i, ok := index[fieldID]; ok {
			fields[i].Options = append(fields[i].Options, o)
		}
	}
	return fields, rows.Err()
}

// ReorderUserFields sets each field's position to its index in ids.
func (s *Store) ReorderUserFields(ctx context.Context, realmID int64, ids []int64) error {
	return s.tx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE user_fields f SET position = o.n - 1 FROM unnest($1::bigint[]) WITH ORDINALITY AS o(id, n)
			WHERE f.realm_id = $2 AND f.id = o.id`, ids, realmID)
		return err
	})
}
