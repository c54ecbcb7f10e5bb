package sql

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"go.yaml.in/yaml/v3"

	"github.com/backendroadmap/grader/runner"
)

// QueryParams are sql.query's parameters.
type QueryParams struct {
	// After lists the learner's files that run first (a migration).
	After []string `yaml:"after"`
	// Query is SQL the exercise runs afterwards, as the learner's role.
	Query string `yaml:"query"`
	// Columns, if set, are the column names Query must return.
	Columns []string `yaml:"columns"`
	// Rows are the expected rows, values written as YAML scalars (null is
	// NULL; numbers compare by value).
	Rows [][]yaml.Node `yaml:"rows"`
	// Ordered makes row order matter.
	Ordered bool `yaml:"ordered"`
	// Explain says what the query looks for, in the failure message ("every
	// user keeps their email").
	Explain string `yaml:"explain"`
	// Setup, when set, lists setup files of the exercise that replace the
	// services block's for this check, as in sql.result.
	Setup []string `yaml:"setup"`
}

// compileQuery: sql.query runs the learner's files, then a query of the
// exercise's, and compares what it returns with rows written in the spec:
// the data a migration must keep, the state a script must leave.
func (k *kinds) compileQuery(p runner.Params, ps *QueryParams) (runner.Checker, error) {
	// The services block before the parameters' own checks, so its errors
	// come first.
	db, err := loadDatabase(p)
	if err != nil {
		return nil, err
	}
	if db, err = db.withSetup(p, ps.Setup); err != nil {
		return nil, err
	}
	files, err := afterList(ps.After)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(ps.Query) == "" {
		return nil, &runner.ParamError{Field: "query", Msg: "required: the SQL whose rows are checked"}
	}
	want, err := literalRows(ps.Columns, ps.Rows)
	if err != nil {
		return nil, err
	}
	return k.checker(db, nil, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		adb, out := k.afterFiles(ctx, a, db, files)
		if out.Status != "" {
			return out
		}
		got, err := adb.exec(ctx, script{name: "the check's query", text: ps.Query})
		if err != nil {
			var se *ScriptError
			if errors.As(err, &se) { // a table the learner dropped or renamed
				return runner.Failed("%s fails after your changes: %s", oneLine(ps.Query), se.Msg)
			}
			return infra(err)
		}
		if got == nil {
			return runner.Errored(fmt.Errorf("the check's query returns no rows (fix the exercise): %s", oneLine(ps.Query)))
		}
		if len(ps.Columns) == 0 {
			want.columns = got.columns // names not checked
		} else {
			for i := range want.columns {
				if i < len(got.columns) {
					want.columns[i].Num, want.columns[i].Type = got.columns[i].Num, got.columns[i].Type
				}
			}
		}
		if m := diff(want, got, ps.Ordered); m != nil {
			what := oneLine(ps.Query)
			if ps.Explain != "" {
				what = ps.Explain
			}
			msg := strings.Replace(m.message(p.Hidden), "your query returns", "the check's query returns", 1)
			return runner.Outcome{Status: runner.Fail, Message: fmt.Sprintf("%s: %s", what, msg),
				Expected: want.excerpt(m.want), Actual: got.excerpt(m.got)}
		}
		return runner.Passed("")
	}), nil
}

// afterList validates a list of the learner's files.
func afterList(after []string) ([]string, error) {
	var files []string
	for _, f := range after {
		clean, err := learnerFile("after", f)
		if err != nil {
			return nil, err
		}
		files = append(files, clean)
	}
	return files, nil
}

// literalRows builds a result set from rows written in the spec.
func literalRows(columns []string, rows [][]yaml.Node) (*resultSet, error) {
	rs := &resultSet{}
	for _, c := range columns {
		rs.columns = append(rs.columns, column{Name: c, Num: true})
	}
	for i, row := range rows {
		if len(columns) > 0 && len(row) != len(columns) {
			return nil, &runner.ParamError{Field: fmt.Sprintf("rows[%d]", i), Msg: fmt.Sprintf("has %d values for %d columns", len(row), len(columns))}
		}
		vals := make([]*string, len(row))
		for j, n := range row {
			if n.Kind != yaml.ScalarNode {
				return nil, &runner.ParamError{Field: fmt.Sprintf("rows[%d][%d]", i, j), Msg: "must be a single value"}
			}
			if n.Tag == "!!null" {
				continue
			}
			v := n.Value
			vals[j] = &v
		}
		rs.rows = append(rs.rows, vals)
	}
	if len(columns) == 0 && len(rows) > 0 {
		for range rows[0] {
			rs.columns = append(rs.columns, column{Num: true})
		}
	}
	return rs, nil
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

// RejectsParams are sql.rejects' parameters.
type RejectsParams struct {
	// After lists the learner's files that run first (the schema or
	// migration whose constraints are tested).
	After []string `yaml:"after"`
	// Rejects are statements the database must refuse.
	Rejects []Probe `yaml:"rejects"`
	// Accepts are statements it must still allow: constraints that are too
	// strict fail too.
	Accepts []Probe `yaml:"accepts"`
}

// Probe is one statement a sql.rejects check tries, in a transaction that is
// rolled back, so probes never change the data.
type Probe struct {
	// SQL is the statement.
	SQL string `yaml:"sql"`
	// Code is the SQLSTATE (23505) or class (23) the refusal must have.
	// Default 23, integrity constraint violation.
	Code string `yaml:"code"`
	// Why says what the constraint protects, for the message ("two
	// customers with the same email").
	Why string `yaml:"why"`
}

// compileRejects: sql.rejects proves constraints hold: each statement of
// Rejects fails with the expected SQLSTATE and each of Accepts succeeds.
func (k *kinds) compileRejects(p runner.Params, ps *RejectsParams) (runner.Checker, error) {
	// The services block before the parameters' own checks, so its errors
	// come first.
	db, err := loadDatabase(p)
	if err != nil {
		return nil, err
	}
	files, err := afterList(ps.After)
	if err != nil {
		return nil, err
	}
	if len(ps.Rejects)+len(ps.Accepts) == 0 {
		return nil, &runner.ParamError{Field: "rejects", Msg: "required: at least one statement in rejects or accepts"}
	}
	for i, pr := range append(append([]Probe{}, ps.Rejects...), ps.Accepts...) {
		field := fmt.Sprintf("rejects[%d]", i)
		if i >= len(ps.Rejects) {
			field = fmt.Sprintf("accepts[%d]", i-len(ps.Rejects))
		}
		if strings.TrimSpace(pr.SQL) == "" {
			return nil, &runner.ParamError{Field: field + ".sql", Msg: "required"}
		}
		if stmts, _ := splitScript(pr.SQL); len(stmts) != 1 {
			return nil, &runner.ParamError{Field: field + ".sql", Msg: "must be exactly one statement"}
		}
	}
	return k.checker(db, nil, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		adb, out := k.afterFiles(ctx, a, db, files)
		if out.Status != "" {
			return out
		}
		for _, pr := range ps.Rejects {
			pgErr, err := adb.probe(ctx, pr.SQL)
			if err != nil {
				return infra(err)
			}
			code := pr.Code
			if code == "" {
				code = "23"
			}
			switch {
			case pgErr == nil:
				return runner.Failed("the database accepts %s, but it must refuse %s: add a constraint that forbids it", oneLine(pr.SQL), why(pr))
			case !strings.HasPrefix(pgErr.Code, code):
				return runner.Failed("%s fails, but not because a constraint refuses it: %s (SQLSTATE %s)", oneLine(pr.SQL), pgErr.Message, pgErr.Code)
			}
		}
		for _, pr := range ps.Accepts {
			pgErr, err := adb.probe(ctx, pr.SQL)
			if err != nil {
				return infra(err)
			}
			if pgErr != nil {
				return runner.Failed("the database refuses %s, which must be allowed (%s): %s (SQLSTATE %s); a constraint is too strict", oneLine(pr.SQL), why(pr), pgErr.Message, pgErr.Code)
			}
		}
		return runner.Passed("")
	}), nil
}

func why(p Probe) string {
	if p.Why != "" {
		return p.Why
	}
	return "it"
}

// probe runs one statement in a transaction that is rolled back and returns
// PostgreSQL's refusal, if any.
func (d *attemptDB) probe(ctx context.Context, stmt string) (*pgconn.PgError, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	tx, err := d.conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	_, err = tx.Exec(ctx, stmt)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr, nil
	}
	return nil, err
}
