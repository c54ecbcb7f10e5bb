package sql

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/backendroadmap/grader/runner"
)

// SchemaParams are sql.schema's parameters: what one table the learner
// created must look like. Every assertion is optional; what the table has
// beyond them (another column, another index) is the learner's business.
type SchemaParams struct {
	// After lists the learner's files that create the table, run in order.
	After []string `yaml:"after"`
	// Table is the table's name, as PostgreSQL stores it (lower case unless
	// the learner quoted it).
	Table string `yaml:"table"`
	// Columns maps a column's name to its type. Aliases are the same type
	// (int, int4, integer and serial; varchar(80) and character varying(80);
	// timestamptz and timestamp with time zone), and a type written without
	// a modifier accepts any (numeric accepts numeric(10,2); write
	// numeric(10,2) to require it).
	Columns map[string]string `yaml:"columns"`
	// AbsentColumns lists columns the table must no longer have: what a
	// migration moved elsewhere.
	AbsentColumns []string `yaml:"absent_columns"`
	// PrimaryKey lists the primary key's columns, in any order.
	PrimaryKey []string `yaml:"primary_key"`
	// ForeignKeys are the foreign keys the table must have.
	ForeignKeys []ForeignKey `yaml:"foreign_keys"`
	// Unique lists column sets that must be unique: a UNIQUE constraint or
	// a unique index (not a partial one) on exactly those columns, in any
	// order. A primary key counts.
	Unique [][]string `yaml:"unique"`
	// NotNull lists columns that must refuse NULL.
	NotNull []string `yaml:"not_null"`
	// Checks lists columns that some CHECK constraint must read. What the
	// constraint allows is for sql.rejects to prove.
	Checks []string `yaml:"checks"`
	// Indexes lists indexes by their leading key columns, in order: an index
	// on (user_id, created_at, kind) serves [user_id, created_at]. A key
	// may be an expression, written as PostgreSQL prints it without casts:
	// lower(email).
	Indexes [][]string `yaml:"indexes"`
}

// ForeignKey is one foreign key a sql.schema check expects.
type ForeignKey struct {
	// Columns are the referencing columns, in the order of References'.
	Columns []string `yaml:"columns"`
	// References is the referenced table and columns: "customers(id)". A
	// table alone ("customers") accepts any of its columns.
	References string `yaml:"references"`
	// OnDelete, if set, is the action required when the referenced row is
	// deleted: cascade, restrict, set null, set default or no action.
	OnDelete string `yaml:"on_delete"`
}

// wantFK is a compiled [ForeignKey].
type wantFK struct {
	cols     []string
	table    string
	refCols  []string // nil: any
	onDelete string   // confdeltype: a, r, c, n, d; "" any
}

// deleteActions maps on_delete's words to pg_constraint.confdeltype.
var deleteActions = map[string]string{"no action": "a", "restrict": "r", "cascade": "c", "set null": "n", "set default": "d"}

// actionWords is deleteActions reversed, for messages.
var actionWords = map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}

// Compiled on first use, not in package init, which every grader start pays.
var referencesPattern = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*([A-Za-z_][A-Za-z0-9_$]*)\s*(?:\(([^()]*)\))?\s*$`)
})

// compileSchema: sql.schema runs the learner's files, then reads the table
// they made from the catalog (pg_catalog, on the learner's session) and
// reports every way it differs from the spec, each with the DDL that fixes
// it: a column's type, a missing key, constraint or index.
func (k *kinds) compileSchema(p runner.Params, ps *SchemaParams) (runner.Checker, error) {
	files, err := afterList(ps.After)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, &runner.ParamError{Field: "after", Msg: "required: the learner's files that create the table"}
	}
	if ps.Table == "" {
		return nil, &runner.ParamError{Field: "table", Msg: "required: the table to inspect"}
	}
	want, err := compileTable(*ps)
	if err != nil {
		return nil, err
	}
	db, err := loadDatabase(p)
	if err != nil {
		return nil, err
	}
	file := files[len(files)-1]
	return k.checker(db, nil, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		adb, out := k.afterFiles(ctx, a, db, files)
		if out.Status != "" {
			return out
		}
		got, err := adb.inspect(ctx, ps.Table)
		if err != nil {
			return infra(err)
		}
		if got == nil {
			return runner.Failed("table %s does not exist: create it in %s (CREATE TABLE %s ...)", ps.Table, file, ps.Table)
		}
		if got.kind != "r" && got.kind != "p" {
			return runner.Failed("%s is not a table (pg_class.relkind %q): create it with CREATE TABLE", ps.Table, got.kind)
		}
		problems := want.compare(got)
		switch len(problems) {
		case 0:
			return runner.Passed(fmt.Sprintf("table %s has the expected structure", ps.Table))
		case 1:
			return runner.Outcome{Status: runner.Fail, Message: problems[0], Actual: got.describe()}
		}
		return runner.Outcome{Status: runner.Fail, Actual: got.describe(),
			Message: fmt.Sprintf("table %s has %d problems:\n- %s", ps.Table, len(problems), strings.Join(problems, "\n- "))}
	}), nil
}

// wantTable is a compiled [SchemaParams]: types and expressions in the
// normal form the catalog is compared in.
type wantTable struct {
	name    string
	columns [][2]string // name, normalised type; sorted by name
	absent  []string
	pk      []string
	fks     []wantFK
	unique  [][]string
	notNull []string
	checks  []string
	indexes [][]string
}

// compileTable validates the parameters and normalises what they compare.
func compileTable(ps SchemaParams) (*wantTable, error) {
	w := &wantTable{name: ps.Table, absent: ps.AbsentColumns, pk: ps.PrimaryKey, unique: ps.Unique, notNull: ps.NotNull, checks: ps.Checks}
	for _, name := range slices.Sorted(maps.Keys(ps.Columns)) {
		typ := normType(ps.Columns[name])
		if typ == "" {
			return nil, &runner.ParamError{Field: "columns." + name, Msg: "required: the column's type, like integer or numeric(10,2)"}
		}
		w.columns = append(w.columns, [2]string{name, typ})
	}
	for i, fk := range ps.ForeignKeys {
		field := fmt.Sprintf("foreign_keys[%d]", i)
		m := referencesPattern().FindStringSubmatch(fk.References)
		if m == nil {
			return nil, &runner.ParamError{Field: field + ".references", Msg: fmt.Sprintf("%q must be a table and its columns, like customers(id)", fk.References)}
		}
		c := wantFK{cols: fk.Columns, table: m[1]}
		if m[2] != "" {
			c.refCols = splitList(m[2])
		}
		if len(c.cols) == 0 || (c.refCols != nil && len(c.refCols) != len(c.cols)) {
			return nil, &runner.ParamError{Field: field + ".columns", Msg: "required: the referencing columns, as many as the referenced ones"}
		}
		if fk.OnDelete != "" {
			if c.onDelete = deleteActions[strings.Join(strings.Fields(strings.ToLower(fk.OnDelete)), " ")]; c.onDelete == "" {
				return nil, &runner.ParamError{Field: field + ".on_delete", Msg: fmt.Sprintf("%q must be cascade, restrict, set null, set default or no action", fk.OnDelete)}
			}
		}
		w.fks = append(w.fks, c)
	}
	for i, cols := range ps.Unique {
		if len(cols) == 0 {
			return nil, &runner.ParamError{Field: fmt.Sprintf("unique[%d]", i), Msg: "must list at least one column"}
		}
	}
	for i, keys := range ps.Indexes {
		if len(keys) == 0 {
			return nil, &runner.ParamError{Field: fmt.Sprintf("indexes[%d]", i), Msg: "must list at least one column"}
		}
		norm := make([]string, len(keys))
		for j, key := range keys {
			norm[j] = normKey(key)
		}
		w.indexes = append(w.indexes, norm)
	}
	return w, nil
}

// compare lists every difference between the table and the spec, in the
// order a learner would fix them: columns first, then keys and constraints.
func (w *wantTable) compare(got *tableInfo) []string {
	var problems []string
	for _, c := range w.columns {
		col := got.column(c[0])
		switch {
		case col == nil:
			problems = append(problems, fmt.Sprintf("table %s has no column %s: add %s %s", w.name, c[0], c[0], c[1]))
		case !sameType(c[1], normType(col.typ)):
			problems = append(problems, fmt.Sprintf("column %s of %s is %s, expected %s", c[0], w.name, col.typ, c[1]))
		}
	}
	for _, name := range w.absent {
		if got.column(name) != nil {
			problems = append(problems, fmt.Sprintf("table %s still has column %s: drop it (ALTER TABLE %s DROP COLUMN %s)", w.name, name, w.name, name))
		}
	}
	for _, name := range w.notNull {
		switch col := got.column(name); {
		case col == nil && !slices.ContainsFunc(w.columns, func(c [2]string) bool { return c[0] == name }):
			problems = append(problems, fmt.Sprintf("table %s has no column %s", w.name, name))
		case col != nil && !col.notNull:
			problems = append(problems, fmt.Sprintf("column %s of %s allows NULL: add NOT NULL", name, w.name))
		}
	}
	if p := w.comparePK(got); p != "" {
		problems = append(problems, p)
	}
	for _, fk := range w.fks {
		if p := w.compareFK(fk, got); p != "" {
			problems = append(problems, p)
		}
	}
	for _, cols := range w.unique {
		if !got.hasUnique(cols) {
			problems = append(problems, fmt.Sprintf("table %s has no UNIQUE constraint on %s: add UNIQUE %s", w.name, listCols(cols), listCols(cols)))
		}
	}
	for _, name := range w.checks {
		if !slices.ContainsFunc(got.checks, func(cols []string) bool { return slices.Contains(cols, name) }) {
			problems = append(problems, fmt.Sprintf("column %s of %s has no CHECK constraint: add CHECK (...) with the rule its values must follow", name, w.name))
		}
	}
	for _, keys := range w.indexes {
		if p := w.compareIndex(keys, got); p != "" {
			problems = append(problems, p)
		}
	}
	return problems
}

func (w *wantTable) comparePK(got *tableInfo) string {
	switch {
	case w.pk == nil:
		return ""
	case got.pk == nil:
		return fmt.Sprintf("table %s has no primary key: add PRIMARY KEY %s", w.name, listCols(w.pk))
	case !sameSet(w.pk, got.pk):
		return fmt.Sprintf("the primary key of %s is %s, expected %s", w.name, listCols(got.pk), listCols(w.pk))
	}
	return ""
}

func (w *wantTable) compareFK(want wantFK, got *tableInfo) string {
	target := want.table
	if want.refCols != nil {
		target += listCols(want.refCols)
	}
	for _, fk := range got.fks {
		if !slices.Equal(fk.cols, want.cols) {
			continue
		}
		have := fk.table + listCols(fk.refCols)
		switch {
		case fk.table != want.table || (want.refCols != nil && !slices.Equal(fk.refCols, want.refCols)):
			return fmt.Sprintf("the foreign key from %s of %s references %s, expected %s", strings.Join(want.cols, ", "), w.name, have, target)
		case want.onDelete != "" && fk.onDelete != want.onDelete:
			return fmt.Sprintf("the foreign key from %s of %s to %s is ON DELETE %s, expected ON DELETE %s", strings.Join(want.cols, ", "), w.name, have, actionWords[fk.onDelete], actionWords[want.onDelete])
		}
		return ""
	}
	fix := "REFERENCES " + target
	if want.onDelete != "" {
		fix += " ON DELETE " + actionWords[want.onDelete]
	}
	if len(want.cols) == 1 {
		fix = fmt.Sprintf("add %s to column %s", fix, want.cols[0])
	} else {
		fix = fmt.Sprintf("add FOREIGN KEY %s %s", listCols(want.cols), fix)
	}
	return fmt.Sprintf("table %s has no foreign key from %s to %s: %s", w.name, strings.Join(want.cols, ", "), target, fix)
}

func (w *wantTable) compareIndex(keys []string, got *tableInfo) string {
	for _, ix := range got.indexes {
		if len(ix.keys) >= len(keys) && slices.Equal(ix.keys[:len(keys)], keys) {
			return ""
		}
	}
	msg := fmt.Sprintf("table %s has no index that starts with %s: add CREATE INDEX ON %s %s", w.name, listCols(keys), w.name, listCols(keys))
	for _, ix := range got.indexes {
		if len(ix.keys) >= len(keys) && sameSet(ix.keys[:len(keys)], keys) {
			msg += fmt.Sprintf(" (%s has these columns in another order, %s: an index serves the columns it starts with)", ix.name, listCols(ix.keys))
			break
		}
	}
	return msg
}

// tableInfo is a table as the catalog describes it. Column lists are in key
// order; index keys are normalised by normKey.
type tableInfo struct {
	kind    string // pg_class.relkind
	columns []columnInfo
	pk      []string
	fks     []fkInfo
	checks  [][]string // the columns each CHECK constraint reads
	indexes []indexInfo
}

type columnInfo struct {
	name    string
	typ     string // format_type()
	notNull bool
}

type fkInfo struct {
	cols     []string
	table    string
	refCols  []string
	onDelete string // confdeltype
}

type indexInfo struct {
	name    string
	keys    []string
	unique  bool
	partial bool
}

func (t *tableInfo) column(name string) *columnInfo {
	for i := range t.columns {
		if t.columns[i].name == name {
			return &t.columns[i]
		}
	}
	return nil
}

// hasUnique reports whether a unique index that is not partial covers
// exactly cols: UNIQUE and PRIMARY KEY constraints are such indexes.
func (t *tableInfo) hasUnique(cols []string) bool {
	return slices.ContainsFunc(t.indexes, func(ix indexInfo) bool {
		return ix.unique && !ix.partial && sameSet(ix.keys, cols)
	})
}

// describe renders the table for an outcome's Actual, like \d would.
func (t *tableInfo) describe() string {
	var b strings.Builder
	for _, c := range t.columns {
		fmt.Fprintf(&b, "%s %s", c.name, c.typ)
		if c.notNull {
			b.WriteString(" NOT NULL")
		}
		b.WriteByte('\n')
	}
	if t.pk != nil {
		fmt.Fprintf(&b, "PRIMARY KEY %s\n", listCols(t.pk))
	}
	for _, fk := range t.fks {
		fmt.Fprintf(&b, "FOREIGN KEY %s REFERENCES %s%s ON DELETE %s\n", listCols(fk.cols), fk.table, listCols(fk.refCols), actionWords[fk.onDelete])
	}
	for _, cols := range t.checks {
		fmt.Fprintf(&b, "CHECK on %s\n", listCols(cols))
	}
	for _, ix := range t.indexes {
		kind := "INDEX"
		if ix.unique {
			kind = "UNIQUE INDEX"
		}
		fmt.Fprintf(&b, "%s %s %s", kind, ix.name, listCols(ix.keys))
		if ix.partial {
			b.WriteString(" WHERE ...")
		}
		b.WriteByte('\n')
	}
	return strings.TrimRight(b.String(), "\n")
}

// The catalog queries of inspect; $1 is the table's oid.
const (
	columnsSQL = `SELECT attname, format_type(atttypid, atttypmod), attnotnull
		FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`
	constraintsSQL = `SELECT c.contype::text,
		ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
			JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
		CASE WHEN c.contype = 'f' THEN c.confrelid::regclass::text ELSE '' END,
		ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
			JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i),
		c.confdeltype::text
		FROM pg_constraint c WHERE c.conrelid = $1 AND c.contype IN ('p', 'f', 'c') ORDER BY c.conname`
	indexesSQL = `SELECT i.indexrelid::regclass::text, i.indisunique, i.indpred IS NOT NULL,
		ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true) FROM generate_series(1, i.indnkeyatts) k ORDER BY k)
		FROM pg_index i WHERE i.indrelid = $1 ORDER BY 1`
)

// inspect reads table's definition from the catalog on the learner's
// session, so it sees the learner's search_path and uncommitted DDL; nil
// when there is no such relation.
func (d *attemptDB) inspect(ctx context.Context, table string) (*tableInfo, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	var oid uint32
	t := &tableInfo{}
	err := d.conn.QueryRow(ctx, `SELECT oid, relkind::text FROM pg_class WHERE oid = to_regclass($1)`,
		pgx.Identifier{table}.Sanitize()).Scan(&oid, &t.kind)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inspect table %s: %w", table, err)
	}
	if err := collect(ctx, d.conn, columnsSQL, oid, func(r pgx.Rows) error {
		var c columnInfo
		err := r.Scan(&c.name, &c.typ, &c.notNull)
		t.columns = append(t.columns, c)
		return err
	}); err != nil {
		return nil, fmt.Errorf("inspect table %s: %w", table, err)
	}
	if err := collect(ctx, d.conn, constraintsSQL, oid, t.addConstraint); err != nil {
		return nil, fmt.Errorf("inspect table %s: %w", table, err)
	}
	if err := collect(ctx, d.conn, indexesSQL, oid, func(r pgx.Rows) error {
		var ix indexInfo
		err := r.Scan(&ix.name, &ix.unique, &ix.partial, &ix.keys)
		for i, k := range ix.keys {
			ix.keys[i] = normKey(k)
		}
		t.indexes = append(t.indexes, ix)
		return err
	}); err != nil {
		return nil, fmt.Errorf("inspect table %s: %w", table, err)
	}
	return t, nil
}

// addConstraint adds a row of constraintsSQL.
func (t *tableInfo) addConstraint(r pgx.Rows) error {
	var typ, ref, onDelete string
	var cols, refCols []string
	if err := r.Scan(&typ, &cols, &ref, &refCols, &onDelete); err != nil {
		return err
	}
	switch typ {
	case "p":
		t.pk = cols
	case "f":
		t.fks = append(t.fks, fkInfo{cols: cols, table: ref, refCols: refCols, onDelete: onDelete})
	case "c":
		t.checks = append(t.checks, cols)
	}
	return nil
}

// collect runs a catalog query and hands each row to add.
func collect(ctx context.Context, conn *pgx.Conn, sql string, oid uint32, add func(pgx.Rows) error) error {
	rows, err := conn.Query(ctx, sql, oid)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := add(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// typeAliases maps the spellings of a type to the name format_type() gives
// it. Serial types are their integer type with a default, so they compare
// as that type.
var typeAliases = map[string]string{
	"int": "integer", "int4": "integer", "serial": "integer", "serial4": "integer",
	"int8": "bigint", "bigserial": "bigint", "serial8": "bigint",
	"int2": "smallint", "smallserial": "smallint", "serial2": "smallint",
	"varchar": "character varying", "char": "character", "bpchar": "character",
	"decimal": "numeric", "bool": "boolean",
	"float": "double precision", "float8": "double precision", "float4": "real",
	"timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone",
	"timetz": "time with time zone", "time": "time without time zone",
}

var (
	typePattern = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([a-z][a-z0-9 ]*?)\s*(\([0-9, ]*\))?(\s+with(?:out)? time zone)?(\[\])?$`)
	})
	spaces = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\s+`) })
)

// normType writes a type the way format_type() does, so aliases compare
// equal: "VARCHAR(80)" and "character varying(80)" are one type.
func normType(t string) string {
	t = spaces().ReplaceAllString(strings.ToLower(strings.TrimSpace(t)), " ")
	m := typePattern().FindStringSubmatch(t)
	if m == nil {
		return t
	}
	name, mod, zone, array := m[1], strings.ReplaceAll(m[2], " ", ""), m[3], m[4]
	if zone != "" { // timestamp(3) with time zone
		name += zone
	}
	if a, ok := typeAliases[name]; ok {
		name = a
	}
	if mod != "" && strings.HasSuffix(name, " time zone") { // format_type puts the precision after "timestamp"
		i := strings.IndexByte(name, ' ')
		return name[:i] + mod + name[i:] + array
	}
	return name + mod + array
}

// sameType compares normalised types; an expected type with no modifier
// accepts any modifier.
func sameType(want, got string) bool {
	if want == got {
		return true
	}
	if strings.Contains(want, "(") {
		return false
	}
	return want == typeModifier().ReplaceAllString(got, "")
}

var typeModifier = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\([0-9,]*\)`) })

var cast = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`::(?:"[^"]*"|[a-z_][a-z0-9_]*(?: (?:varying|precision|with(?:out)? time zone))?)(?:\([0-9,]*\))?(?:\[\])?`)
})

// normKey writes an index key so an expression compares with how a spec
// writes it: no casts, no spaces, no outer parentheses.
func normKey(k string) string {
	k = cast().ReplaceAllString(strings.ToLower(k), "")
	k = spaces().ReplaceAllString(k, "")
	if strings.HasPrefix(k, "(") && strings.HasSuffix(k, ")") && balanced(k[1:len(k)-1]) {
		k = k[1 : len(k)-1]
	}
	return k
}

// balanced reports whether s's parentheses pair up.
func balanced(s string) bool {
	depth := 0
	for _, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			if depth--; depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(f))
	}
	return out
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) })
}
