package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/clientele/clientele/internal/directory"
)

// importRow is one row of an import file: its line number and either the
// user it describes or why it could not be read.
type importRow struct {
	line int
	in   directory.UserInput
	err  error
}

// importSummary is what `user import` did, as --json prints it.
type importSummary struct {
	Rows          int     `json:"rows"`
	Created       int     `json:"created"`
	Updated       int     `json:"updated"`
	Unchanged     int     `json:"unchanged"`
	Failed        int     `json:"failed"`
	Seconds       float64 `json:"seconds"`
	RowsPerSecond float64 `json:"rows_per_second"`
}

// userImport creates or updates the users of a CSV or JSON Lines file in a
// realm. Rows go through directory.Service.ImportUsers in batches, so each
// obeys the API's rules and matches an existing user by external_id or
// email; a bad row is reported on stderr with its line number and the
// others go on. The file is streamed: reading the next batch overlaps
// writing the current one. The rows are written in one bulk load
// (directory.BulkLoader) where the store has one, committed every
// --commit rows; an import stopped by a failure of the store keeps the
// rows of its commits before the failure and says from which line on
// nothing was written.
func (e *env) userImport(ctx context.Context, args []string) error {
	var c Config
	fs := e.flags("user import", &c)
	realmUID := fs.String("realm", "", "realm uid")
	format := fs.String("format", "", "csv or jsonl (default: from the file's extension: .csv, .jsonl, .ndjson)")
	batchSize := fs.Int("batch", 5000, "rows per batch")
	commitEvery := fs.Int("commit", defaultImportCommitEvery, "rows per commit (each a transaction, the search index complete at its end)")
	asJSON := fs.Bool("json", false, "print the summary as a JSON object")
	files, err := e.parseWithArgs(fs, args)
	if err != nil {
		return err
	}
	if len(files) != 1 || *realmUID == "" {
		return usageError("user import: give one FILE (or - for stdin) and --realm")
	}
	if *batchSize < 1 || *commitEvery < 1 {
		return usageError("user import: --batch and --commit must be at least 1")
	}
	name := files[0]
	if *format == "" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".csv":
			*format = "csv"
		case ".jsonl", ".ndjson":
			*format = "jsonl"
		default:
			return usageError(fmt.Sprintf("user import: cannot tell the format of %q; name it .csv, .jsonl or .ndjson, or pass --format", name))
		}
	}
	if *format != "csv" && *format != "jsonl" {
		return usageError(fmt.Sprintf("user import: --format must be csv or jsonl, got %q", *format))
	}
	src := e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		src = f
	}
	store, realm, err := openRealm(ctx, &c, *realmUID)
	if err != nil {
		return err
	}
	defer store.Close()
	svc := directory.NewService(store, directory.ServiceOptions{})

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan []importRow, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(batches)
		read := readCSV
		if *format == "jsonl" {
			read = readJSONL
		}
		readErr <- read(ctx, bufio.NewReaderSize(src, 1<<20), *batchSize, batches, e.stderr)
	}()

	var sum importSummary
	progress := newProgress(e.stderr, "rows")
	start := time.Now()
	lctx, load, err := beginLoad(ctx, store)
	if err != nil {
		return err
	}
	defer load.End()
	// At most this many rows, so new users, come between two commits.
	expectPerCommit(load, *commitEvery)
	// uncommitted is the line of the first row written since the last
	// commit (0: none), which a failure takes back.
	uncommitted, sinceCommit := 0, 0
	stopped := func(line int, err error) error {
		if uncommitted != 0 {
			return fmt.Errorf("import stopped at line %d: %w (the rows from line %d on were not written)", line, err, uncommitted)
		}
		return fmt.Errorf("import stopped at line %d: %w", line, err)
	}
	for batch := range batches {
		var inputs []directory.UserInput
		var lines []int
		for _, r := range batch {
			sum.Rows++
			if r.err != nil {
				sum.Failed++
				progress.println(fmt.Sprintf("line %d: %s", r.line, describeError(r.err)))
				continue
			}
			inputs = append(inputs, r.in)
			lines = append(lines, r.line)
		}
		results, err := svc.ImportUsers(lctx, directory.Operator(realm.ID), inputs)
		if err != nil {
			return stopped(lines[0], err)
		}
		if uncommitted == 0 && len(lines) > 0 {
			uncommitted = lines[0]
		}
		if sinceCommit += len(inputs); sinceCommit >= *commitEvery {
			if err := load.Commit(ctx); err != nil {
				return stopped(lines[len(lines)-1], err)
			}
			uncommitted, sinceCommit = 0, 0
		}
		for i, res := range results {
			switch res.Action {
			case directory.ImportCreated:
				sum.Created++
			case directory.ImportUpdated:
				sum.Updated++
			case directory.ImportUnchanged:
				sum.Unchanged++
			default:
				sum.Failed++
				progress.println(fmt.Sprintf("line %d: %s", lines[i], describeError(res.Err)))
			}
		}
		progress.update(sum.Rows, fmt.Sprintf("%d created, %d updated, %d unchanged, %d failed", sum.Created, sum.Updated, sum.Unchanged, sum.Failed))
	}
	if err := load.Commit(ctx); err != nil {
		return stopped(uncommitted, err)
	}
	if err := load.End(); err != nil {
		return err
	}
	progress.done()
	if err := <-readErr; err != nil {
		return err
	}
	sum.Seconds = time.Since(start).Seconds()
	if sum.Seconds > 0 {
		sum.RowsPerSecond = float64(sum.Rows) / sum.Seconds
	}
	if err := afterLoad(ctx, store); err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(e.stdout).Encode(sum); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "%d rows: %d created, %d updated, %d unchanged, %d failed (%.1f s, %.0f rows/s)\n",
			sum.Rows, sum.Created, sum.Updated, sum.Unchanged, sum.Failed, sum.Seconds, sum.RowsPerSecond)
	}
	if sum.Failed > 0 {
		return fmt.Errorf("%d of %d rows failed", sum.Failed, sum.Rows)
	}
	return nil
}

// parseWithArgs parses flags that may come before and after the positional
// arguments ("user import FILE --realm R") and returns the positional ones.
func (e *env) parseWithArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError(err.Error())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// describeError is a row's error for a person: the field problems of a
// validation error, or the error's text.
func describeError(err error) string {
	var de *directory.Error
	if errors.As(err, &de) && len(de.Fields) > 0 {
		parts := make([]string, len(de.Fields))
		for i, f := range de.Fields {
			parts[i] = f.Field + ": " + f.Message
		}
		return strings.Join(parts, "; ")
	}
	return err.Error()
}

// readCSV reads a CSV file with a header row naming the user fields and
// sends its rows in batches. A cell left empty is not sent, so it leaves
// an existing user's value as it is.
func readCSV(ctx context.Context, r *bufio.Reader, batchSize int, out chan<- []importRow, warn io.Writer) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return fmt.Errorf("CSV header: %w", err)
	}
	cols := make([]string, len(header))
	var unknown []string
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		cols[i] = h
		if !knownField(h) && !readOnlyFields[h] {
			unknown = append(unknown, h)
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintf(warn, "ignoring unknown columns: %s\n", strings.Join(unknown, ", "))
	}
	batch := make([]importRow, 0, batchSize)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		line, _ := cr.FieldPos(0)
		row := importRow{line: line}
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			row.line, row.err = pe.StartLine, fmt.Errorf("not valid CSV: %v", pe.Err)
		case err != nil:
			return err
		case len(rec) != len(cols):
			row.err = fmt.Errorf("has %d cells, the header %d", len(rec), len(cols))
		default:
			var v directory.Invalid
			for i, cell := range rec {
				if strings.TrimSpace(cell) == "" {
					continue
				}
				if !utf8.ValidString(cell) {
					v.Add(cols[i], "InvalidValue", "is not valid UTF-8")
					continue
				}
				setField(&row.in, cols[i], cell, &v)
			}
			row.err = v.Err()
		}
		batch = append(batch, row)
		if len(batch) == batchSize {
			if !send(ctx, out, batch) {
				return ctx.Err()
			}
			batch = make([]importRow, 0, batchSize)
		}
	}
	if len(batch) > 0 && !send(ctx, out, batch) {
		return ctx.Err()
	}
	return nil
}

// readJSONL reads one JSON object a line (a user as the API takes it, or
// {"user": {...}}) and sends the rows in batches. Blank lines are skipped;
// null clears a field, as in the API; unknown keys are ignored, so a
// Zendesk export can be imported as it is.
func readJSONL(ctx context.Context, br *bufio.Reader, batchSize int, out chan<- []importRow, _ io.Writer) error {
	batch := make([]importRow, 0, batchSize)
	for line := 1; ; line++ {
		text, err := br.ReadBytes('\n')
		if err != nil && err != io.EOF {
			return err
		}
		if t := bytes.TrimSpace(text); len(t) > 0 {
			row := importRow{line: line}
			row.in, row.err = decodeJSONUser(t)
			batch = append(batch, row)
			if len(batch) == batchSize {
				if !send(ctx, out, batch) {
					return ctx.Err()
				}
				batch = make([]importRow, 0, batchSize)
			}
		}
		if err == io.EOF {
			break
		}
	}
	if len(batch) > 0 && !send(ctx, out, batch) {
		return ctx.Err()
	}
	return nil
}

func send(ctx context.Context, out chan<- []importRow, batch []importRow) bool {
	select {
	case out <- batch:
		return true
	case <-ctx.Done():
		return false
	}
}

// decodeJSONUser reads one JSON Lines record.
func decodeJSONUser(text []byte) (directory.UserInput, error) {
	var in directory.UserInput
	if !utf8.Valid(text) {
		return in, errors.New("not valid UTF-8")
	}
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil {
		return in, errors.New("not a JSON object")
	}
	if dec.More() {
		return in, errors.New("more than one JSON value on the line")
	}
	if inner, ok := obj["user"].(map[string]any); ok && len(obj) == 1 {
		obj = inner
	}
	var v directory.Invalid
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // errors in a stable order
	for _, k := range keys {
		setField(&in, k, obj[k], &v)
	}
	return in, v.Err()
}

// readOnlyFields are user fields that Zendesk returns but does not take:
// a file exported from Zendesk carries them, and they are ignored.
var readOnlyFields = map[string]bool{
	"id": true, "url": true, "created_at": true, "updated_at": true, "active": true, "shared": true,
	"shared_agent": true, "last_login_at": true, "two_factor_auth_enabled": true, "photo": true,
	"role_type": true, "restricted_agent": true, "iana_time_zone": true, "chat_only": true,
	"report_csv": true, "result_type": true, "permanently_deleted": true,
}

func knownField(key string) bool {
	var in directory.UserInput
	var v directory.Invalid
	return setField(&in, key, nil, &v)
}

// setField sets the field key of in from val: a CSV cell (a string) or a
// JSON value (nil, bool, json.Number, string, []any, map[string]any). It
// reports whether key is a writable user field; problems go to v, under
// the field's name.
func setField(in *directory.UserInput, key string, val any, v *directory.Invalid) bool {
	text := func(dst **string) {
		switch x := val.(type) {
		case nil:
			*dst = new(string)
		case string:
			*dst = &x
		default:
			v.Add(key, "InvalidValue", "must be a string")
		}
	}
	boolean := func(dst **bool) {
		switch x := val.(type) {
		case nil:
			*dst = new(bool)
		case bool:
			*dst = &x
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "t", "yes", "y", "1":
				b := true
				*dst = &b
			case "false", "f", "no", "n", "0":
				*dst = new(bool)
			default:
				v.Add(key, "InvalidValue", "must be true or false")
			}
		default:
			v.Add(key, "InvalidValue", "must be true or false")
		}
	}
	number := func() (int64, bool) {
		var s string
		switch x := val.(type) {
		case json.Number:
			s = x.String()
		case string:
			s = strings.TrimSpace(x)
		default:
			return 0, false
		}
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	id := func(dst **int64) {
		if val == nil {
			*dst = new(int64)
			return
		}
		n, ok := number()
		if !ok || n < 0 {
			v.Add(key, "InvalidValue", "must be a positive integer id or null")
			return
		}
		*dst = &n
	}
	switch key {
	case "name":
		text(&in.Name)
	case "first_name":
		text(&in.FirstName)
	case "last_name":
		text(&in.LastName)
	case "second_last_name":
		text(&in.SecondLastName)
	case "username":
		text(&in.Username)
	case "email":
		text(&in.Email)
	case "phone":
		text(&in.Phone)
	case "shared_phone_number":
		boolean(&in.SharedPhoneNumber)
	case "external_id":
		if n, ok := val.(json.Number); ok {
			// Zendesk clients send numeric external ids as numbers.
			s := n.String()
			in.ExternalID = &s
			break
		}
		text(&in.ExternalID)
	case "alias":
		text(&in.Alias)
	case "signature":
		text(&in.Signature)
	case "details":
		text(&in.Details)
	case "notes":
		text(&in.Notes)
	case "remote_photo_url":
		text(&in.RemotePhotoURL)
	case "role":
		text(&in.Role)
	case "custom_role_id":
		id(&in.CustomRoleID)
	case "default_group_id":
		id(&in.DefaultGroupID)
	case "organization_id":
		id(&in.OrganizationID)
	case "ticket_restriction":
		text(&in.TicketRestriction)
	case "moderator":
		boolean(&in.Moderator)
	case "only_private_comments":
		boolean(&in.OnlyPrivateComments)
	case "time_zone":
		text(&in.TimeZone)
	case "locale":
		text(&in.Locale)
	case "locale_id":
		if val == nil {
			break
		}
		n, ok := number()
		if !ok {
			v.Add(key, "InvalidValue", "must be an integer")
			break
		}
		i := int(n)
		in.LocaleID = &i
	case "verified":
		boolean(&in.Verified)
	case "suspended":
		boolean(&in.Suspended)
	case "tags":
		tags := []string{}
		switch x := val.(type) {
		case nil:
		case string:
			// In a CSV cell, tags are separated by spaces or commas.
			tags = strings.FieldsFunc(x, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		case []any:
			for _, t := range x {
				s, ok := t.(string)
				if !ok {
					v.Add(key, "InvalidValue", "must be an array of strings")
					return true
				}
				tags = append(tags, s)
			}
		default:
			v.Add(key, "InvalidValue", "must be an array of strings")
			return true
		}
		in.Tags = &tags
	case "user_fields":
		switch x := val.(type) {
		case nil:
			in.UserFields = map[string]any{}
		case map[string]any:
			in.UserFields = x
		default:
			v.Add(key, "InvalidValue", "must be an object")
		}
	case "identities":
		list, ok := val.([]any)
		if val != nil && !ok {
			v.Add(key, "InvalidValue", "must be an array of {type, value} objects")
			break
		}
		for _, item := range list {
			obj, _ := item.(map[string]any)
			typ, ok1 := obj["type"].(string)
			value, ok2 := obj["value"].(string)
			if !ok1 || !ok2 {
				v.Add(key, "InvalidValue", "must be an array of {type, value} objects")
				break
			}
			in.Identities = append(in.Identities, directory.IdentityInput{Type: typ, Value: value})
		}
	default:
		return false
	}
	return true
}

// progress shows a count and a rate on one line of a terminal, redrawn at
// most a few times a second; on anything else (a file, a pipe, a test's
// buffer) it shows nothing but the lines printed through it.
type progress struct {
	w       io.Writer
	tty     bool
	unit    string
	start   time.Time
	last    time.Time
	drawn   bool
	current string
}

func newProgress(w io.Writer, unit string) *progress {
	return &progress{w: w, tty: isTerminal(w), unit: unit, start: time.Now()}
}

// isTerminal reports whether w is a character device, as a terminal is.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// update redraws the line with n units done and what else is worth saying.
func (p *progress) update(n int, extra string) {
	if !p.tty || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	rate := float64(n) / time.Since(p.start).Seconds()
	p.current = fmt.Sprintf("%d %s, %.0f %s/s", n, p.unit, rate, p.unit)
	if extra != "" {
		p.current += ", " + extra
	}
	fmt.Fprint(p.w, "\r\x1b[K"+p.current)
	p.drawn = true
}

// println prints a message line, keeping the progress line below it.
func (p *progress) println(msg string) {
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	fmt.Fprintln(p.w, msg)
	if p.drawn {
		fmt.Fprint(p.w, p.current)
	}
}

// done ends the progress line.
func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
