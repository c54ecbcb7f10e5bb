package sql

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// resultSet is what a query returned, in PostgreSQL's text format: the exact
// digits of a numeric, a timestamp as the session prints it. A nil value is
// NULL, never confused with an empty string.
type resultSet struct {
	columns []column
	rows    [][]*string
	// version is the server's version, which a stored reference result
	// must match.
	version string
}

type column struct {
	Name string `json:"name"`
	Type string `json:"type"`    // the type's name (numeric, text, ...), for messages
	Num  bool   `json:"numeric"` // compared by numeric value
}

func newResultSet(conn *pgx.Conn, fields []pgconn.FieldDescription, rows [][][]byte) *resultSet {
	rs := &resultSet{version: conn.PgConn().ParameterStatus("server_version")}
	types := conn.TypeMap()
	for _, f := range fields {
		c := column{Name: f.Name, Type: fmt.Sprintf("oid %d", f.DataTypeOID)}
		if t, ok := types.TypeForOID(f.DataTypeOID); ok {
			c.Type = t.Name
		}
		switch f.DataTypeOID {
		case pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.NumericOID, pgtype.Float4OID, pgtype.Float8OID:
			c.Num = true
		}
		rs.columns = append(rs.columns, c)
	}
	for _, row := range rows {
		vals := make([]*string, len(row))
		for i, v := range row {
			if v != nil {
				s := string(v)
				vals[i] = &s
			}
		}
		rs.rows = append(rs.rows, vals)
	}
	return rs
}

// names returns the column names.
func (rs *resultSet) names() []string {
	out := make([]string, len(rs.columns))
	for i, c := range rs.columns {
		out[i] = c.Name
	}
	return out
}

// sameValue compares two values of a column: numbers by value (10.5 equals
// 10.50, whatever the types, but 0.30000000000000004 is not 0.3), NULL only
// with NULL, everything else by its exact text.
func sameValue(a, b *string, numeric bool) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if numeric {
		x, okx := new(big.Rat).SetString(*a)
		y, oky := new(big.Rat).SetString(*b)
		if okx && oky {
			return x.Cmp(y) == 0
		}
	}
	return *a == *b
}

// sameRow compares two rows of the same columns.
func sameRow(a, b []*string, numeric []bool) bool {
	for i := range a {
		if !sameValue(a[i], b[i], numeric[i]) {
			return false
		}
	}
	return true
}

// rowKey is a canonical form of a row for comparing rows as a multiset:
// numbers in lowest terms, NULL distinct from any text.
func rowKey(row []*string, numeric []bool) string {
	var b strings.Builder
	for i, v := range row {
		switch {
		case v == nil:
			b.WriteString("\x00N")
		case numeric[i]:
			if r, ok := new(big.Rat).SetString(*v); ok {
				b.WriteString("\x00#" + r.RatString())
				continue
			}
			fallthrough
		default:
			b.WriteString("\x00'" + *v)
		}
	}
	return b.String()
}

// mismatch is how a result set differs from the expected one: the message,
// and the rows of each side that show it (indexes into each side's rows).
// A failure shows those rows and the counts, never a whole expected table: a
// learner could paste one into a VALUES list instead of writing the query.
type mismatch struct {
	msg string
	// quiet says the same without quoting a value, for a hidden check.
	quiet     string
	want, got []int
}

// message is what a check reports: msg, or quiet for a hidden check.
func (m *mismatch) message(hidden bool) string {
	if hidden && m.quiet != "" {
		return m.quiet
	}
	return m.msg
}

// diff compares actual with expected and says what differs, in words a
// learner can act on; nil means they match. ordered makes row order matter.
func diff(expected, actual *resultSet, ordered bool) *mismatch {
	en, an := expected.names(), actual.names()
	if !slices.Equal(en, an) {
		msg := fmt.Sprintf("your query returns the columns %s; expected %s", listCols(an), listCols(en))
		if len(en) == len(an) {
			msg += " (name a column with AS)"
		}
		return &mismatch{msg: msg}
	}
	numeric := make([]bool, len(expected.columns))
	for i := range numeric {
		numeric[i] = expected.columns[i].Num && actual.columns[i].Num
	}
	missing, extra := multisetDiff(expected.rows, actual.rows, numeric)
	some := func(idx []int) []int { return idx[:min(len(idx), shownRows)] }
	if len(expected.rows) != len(actual.rows) {
		msg := fmt.Sprintf("your query returns %s; expected %s", plural(len(actual.rows), "row"), plural(len(expected.rows), "row"))
		return &mismatch{msg: msg + rowsList("missing", expected.rows, missing) + rowsList("not expected", actual.rows, extra),
			quiet: msg, want: some(missing), got: some(extra)}
	}
	if len(missing)+len(extra) > 0 {
		for i := range expected.rows { // point at the first differing value of the first differing row
			if !sameRow(expected.rows[i], actual.rows[i], numeric) && ordered {
				return &mismatch{msg: fmt.Sprintf("row %d differs: expected %s, got %s%s", i+1, fmtRow(expected.rows[i]), fmtRow(actual.rows[i]), valueNote(expected, actual, i)),
					quiet: fmt.Sprintf("row %d differs%s, and %s of %d are not expected", i+1, valueNote(expected, actual, i), plural(len(extra), "row"), len(actual.rows)),
					want:  []int{i}, got: []int{i}}
			}
		}
		return &mismatch{msg: "the rows differ" + rowsList("missing", expected.rows, missing) + rowsList("not expected", actual.rows, extra),
			quiet: fmt.Sprintf("the rows differ: %s of %d are not expected", plural(len(extra), "row"), len(actual.rows)),
			want:  some(missing), got: some(extra)}
	}
	if ordered {
		for i := range expected.rows {
			if !sameRow(expected.rows[i], actual.rows[i], numeric) {
				return &mismatch{msg: fmt.Sprintf("the rows are right but not in the expected order: row %d is %s, expected %s (check ORDER BY, including the tie-breaker)", i+1, fmtRow(actual.rows[i]), fmtRow(expected.rows[i])),
					quiet: fmt.Sprintf("the rows are right but not in the expected order from row %d on (check ORDER BY, including the tie-breaker)", i+1),
					want:  []int{i}, got: []int{i}}
			}
		}
	}
	return nil
}

// valueNote explains a difference in row i that the learner may not see at
// a glance: a NULL for an empty string, or a float where a numeric was due.
func valueNote(expected, actual *resultSet, i int) string {
	for j, c := range expected.columns {
		e, a := expected.rows[i][j], actual.rows[i][j]
		switch {
		case (e == nil) != (a == nil):
			return fmt.Sprintf(" (column %s: NULL is not the same as a value)", c.Name)
		case e != nil && *e != *a && c.Type != actual.columns[j].Type:
			return fmt.Sprintf(" (column %s is %s, expected %s)", c.Name, actual.columns[j].Type, c.Type)
		}
	}
	return ""
}

// multisetDiff returns the indexes of the rows of want not in got and of
// got not in want, counting duplicates.
func multisetDiff(want, got [][]*string, numeric []bool) (missing, extra []int) {
	count := map[string]int{}
	for _, r := range got {
		count[rowKey(r, numeric)]++
	}
	for i, r := range want {
		k := rowKey(r, numeric)
		if count[k] > 0 {
			count[k]--
		} else {
			missing = append(missing, i)
		}
	}
	for i, r := range got {
		k := rowKey(r, numeric)
		if count[k] > 0 {
			count[k]--
			extra = append(extra, i)
		}
	}
	return missing, extra
}

// rowsList names the first [shownRows] of the rows at idx, and how many
// more there are.
func rowsList(label string, rows [][]*string, idx []int) string {
	if len(idx) == 0 {
		return ""
	}
	var parts []string
	for n, i := range idx {
		if n == shownRows {
			parts = append(parts, fmt.Sprintf("and %d more", len(idx)-shownRows))
			break
		}
		parts = append(parts, fmtRow(rows[i]))
	}
	return fmt.Sprintf("; %s: %s", label, strings.Join(parts, ", "))
}

// fmtRow writes a row as a code span, which the text report never breaks
// across lines.
func fmtRow(r []*string) string {
	parts := make([]string, len(r))
	for i, v := range r {
		parts[i] = fmtValue(v)
	}
	return "`(" + strings.Join(parts, ", ") + ")`"
}

// fmtValue writes NULL as NULL, and quotes text whose spaces would be
// invisible (" cleo ") or that is empty, so ” never looks like NULL.
func fmtValue(v *string) string {
	switch {
	case v == nil:
		return "NULL"
	case *v == "" || strings.TrimSpace(*v) != *v:
		return "'" + strings.ReplaceAll(*v, "'", "''") + "'"
	}
	return *v
}

func listCols(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return "(" + strings.Join(names, ", ") + ")"
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// excerpt renders the rows at idx as an aligned text table, each with its
// row number, and says how many rows there are in all: a failure's Expected
// and Actual, which show the rows that differ, not the whole result.
func (rs *resultSet) excerpt(idx []int) string {
	if rs == nil {
		return "(no rows: the file ends with no query)"
	}
	cells := [][]string{append([]string{"row"}, rs.names()...)}
	for _, i := range idx {
		row := []string{fmt.Sprint(i + 1)}
		for _, v := range rs.rows[i] {
			row = append(row, fmtValue(v))
		}
		cells = append(cells, row)
	}
	width := make([]int, len(cells[0]))
	for _, row := range cells {
		for j, c := range row {
			width[j] = max(width[j], len([]rune(c)))
		}
	}
	var b strings.Builder
	for _, row := range cells {
		for j, c := range row {
			if j > 0 {
				b.WriteString(" | ")
			}
			pad := strings.Repeat(" ", width[j]-len([]rune(c)))
			switch {
			case j == 0:
				b.WriteString(pad + c) // row numbers align right
			case j < len(row)-1:
				b.WriteString(c + pad)
			default:
				b.WriteString(c)
			}
		}
		b.WriteByte('\n')
	}
	switch {
	case len(idx) == 0:
		fmt.Fprintf(&b, "(%s in all)", plural(len(rs.rows), "row"))
	default:
		fmt.Fprintf(&b, "(%d of %s shown)", len(idx), plural(len(rs.rows), "row"))
	}
	return b.String()
}
