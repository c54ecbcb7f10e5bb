package sql

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"gopkg.in/yaml.v3"

	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
	"github.com/backendroadmap/grader/sandbox/postgres"
)

// shop is the sql-joins exercise's data: customers without orders, equal
// totals, amounts with cents.
var shop = exercise{
	files: fstest.MapFS{
		"db/schema.sql": {Data: []byte(`
CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL, email text UNIQUE);
CREATE TABLE orders (
  id int PRIMARY KEY,
  customer_id int NOT NULL REFERENCES customers(id),
  amount numeric(10,2) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT '2026-01-05 09:00:00+00');`)},
		"db/seed.sql": {Data: []byte(`
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', 'bob@example.com'),
  (3, 'Cy', 'cy@example.com'), (4, 'Dee', NULL);
INSERT INTO orders (id, customer_id, amount) VALUES
  (1, 1, 10.50), (2, 1, 4.25), (3, 2, 14.75), (4, 3, 0.99), (5, 3, 13.76);`)},
		// Other customers and orders, for a check on data the learner never
		// saw: the totals, and so the rows, differ.
		"db/other.sql": {Data: []byte(`
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', 'bob@example.com'),
  (5, 'Eli', 'eli@example.com');
INSERT INTO orders (id, customer_id, amount) VALUES
  (1, 1, 3.00), (2, 2, 7.50), (3, 5, 7.50), (4, 5, 1.25);`)},
		"solution/query.sql": {Data: []byte(joins)},
	},
	services: "setup: [db/schema.sql, db/seed.sql]\nstatement_timeout: 1s\n",
}

const joins = `-- totals per customer
SELECT c.name, sum(o.amount) AS total
FROM customers c JOIN orders o ON o.customer_id = c.id
GROUP BY c.id, c.name
ORDER BY total DESC, c.name;
`

func TestResult(t *testing.T) {
	kinds := Kinds(provider(t))
	result := shop.compile(t, kinds, "sql.result", "file: query.sql\nreference: solution/query.sql\nordered: true\n")
	tests := []struct {
		name  string
		query string // "" leaves query.sql out
		want  runner.Status
		msg   []string
	}{
		{"reference", joins, runner.Pass, []string{"3 rows"}},
		{"numbers compare by value", strings.Replace(joins, "sum(o.amount)", "sum(o.amount)::numeric(12,4)", 1), runner.Pass, nil},
		{"no tie-breaker", strings.Replace(joins, "total DESC, c.name", "total DESC, c.name DESC", 1), runner.Fail,
			[]string{"not in the expected order", "row 1 is `(Cy, 14.75)`, expected `(Ada, 14.75)`", "tie-breaker"}},
		{"left join", strings.Replace(joins, " JOIN orders", " LEFT JOIN orders", 1), runner.Fail,
			[]string{"returns 4 rows; expected 3", "not expected: `(Dee, NULL)`"}},
		{"rounded to a float", strings.Replace(joins, "sum(o.amount)", "round(sum(o.amount))::float8", 1), runner.Fail,
			[]string{"row 1 differs: expected `(Ada, 14.75)`, got `(Ada, 15)`", "column total is float8, expected numeric"}},
		{"column name", strings.NewReplacer("AS total", "", "BY total", "BY 2").Replace(joins), runner.Fail,
			[]string{"columns (name, sum); expected (name, total)", "AS"}},
		{"typo, with its line", strings.Replace(joins, "o.amount", "o.amout", 1), runner.Fail,
			[]string{"query.sql:2:", `column o.amout does not exist`, "SQLSTATE 42703"}},
		{"missing", "", runner.Fail, []string{"query.sql is missing"}},
		{"finds nothing", "SELECT c.name, sum(o.amount) AS total FROM customers c JOIN orders o ON false GROUP BY c.name;", runner.Fail,
			[]string{"returns 0 rows; expected 3 rows", "missing: `(Ada, 14.75)`, `(Bob, 14.75)`, and 1 more"}},
		{"the failing statement, not its comment", "SELECT 1;\n-- the totals\nSELECT nme FROM customers;", runner.Fail,
			[]string{"query.sql:3:8:", "in: SELECT nme FROM customers"}},
		{"invisible spaces", strings.Replace(joins, "c.name,", "' ' || c.name || ' ' AS name,", 1), runner.Fail,
			[]string{"`(' Ada ', 14.75)`"}},
		{"psql command", "\\dt\n" + joins, runner.Fail, []string{"query.sql:1:", `\dt is a psql command`}},
		{"runaway", "SELECT pg_sleep(30);", runner.Fail, []string{"statement timeout", "ran longer than the exercise allows"}},
		{"no rows", "CREATE TABLE x (a int);", runner.Fail, []string{"returns no rows"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{}
			if tt.query != "" {
				files["query.sql"] = tt.query
			}
			out := check(t, workspace(t, files), result)[0]
			if out.Status != tt.want {
				t.Fatalf("status %s, want %s: %s", out.Status, tt.want, out.Message)
			}
			for _, m := range tt.msg {
				if !strings.Contains(out.Message, m) {
					t.Errorf("message %q does not say %q", out.Message, m)
				}
			}
			// A failure shows the rows that differ and the counts, never the
			// whole expected result (Ada, Bob and Cy at 14.75) to copy.
			if tt.want == runner.Fail && out.Expected != "" {
				if !strings.Contains(out.Expected, "3 rows") || strings.Count(out.Expected, "14.75") > shownRows {
					t.Errorf("expected table:\n%s", out.Expected)
				}
			}
		})
	}
}

// TestResultShowsTheDifferenceNotTheAnswer: the first failure of an empty
// result names two of the expected rows and shows them with their numbers,
// not the whole table a learner could copy into a VALUES list.
func TestResultShowsTheDifferenceNotTheAnswer(t *testing.T) {
	result := shop.compile(t, Kinds(provider(t)), "sql.result", "file: query.sql\nreference: solution/query.sql\nordered: true\n")
	out := check(t, workspace(t, map[string]string{"query.sql": "SELECT name, 0.00 AS total FROM customers WHERE false;"}), result)[0]
	if out.Status != runner.Fail {
		t.Fatalf("%+v", out)
	}
	want := "row | name | total\n  1 | Ada  | 14.75\n  2 | Bob  | 14.75\n(2 of 3 rows shown)"
	if out.Expected != want {
		t.Errorf("Expected =\n%s\nwant\n%s", out.Expected, want)
	}
	if strings.Contains(out.Message+out.Expected, "Cy") {
		t.Errorf("the failure shows every expected row:\n%s\n%s", out.Message, out.Expected)
	}
	if want := "row | name | total\n(0 rows in all)"; out.Actual != want {
		t.Errorf("Actual =\n%s\nwant\n%s", out.Actual, want)
	}
}

// TestResultOnOtherData: a check with setup files of its own runs the
// learner's query and the reference on a database built from them, so a
// query that returns the rows it was shown (a VALUES list) passes on the
// exercise's data and fails there, while the real query passes both.
func TestResultOnOtherData(t *testing.T) {
	kinds := Kinds(provider(t))
	const with = "file: query.sql\nreference: solution/query.sql\nordered: true\n"
	visible := shop.compile(t, kinds, "sql.result", with)
	other := shop.compile(t, kinds, "sql.result", with+"setup: [db/schema.sql, db/other.sql]\n")
	const copied = "SELECT * FROM (VALUES ('Ada', 14.75), ('Bob', 14.75), ('Cy', 14.75)) AS t (name, total);"
	out := check(t, workspace(t, map[string]string{"query.sql": copied}), visible, other)
	if out[0].Status != runner.Pass || out[1].Status != runner.Fail {
		t.Fatalf("copied rows: %+v", out)
	}
	if !strings.Contains(out[1].Message, "row 1 differs: expected `(Eli, 8.75)`, got `(Ada, 14.75)`") {
		t.Errorf("message: %s", out[1].Message)
	}
	out = check(t, workspace(t, map[string]string{"query.sql": joins}), visible, other)
	if out[0].Status != runner.Pass || out[1].Status != runner.Pass {
		t.Fatalf("the real query: %+v", out)
	}
	// As a hidden check, as CI runs it, the message quotes none of the
	// data the learner never saw.
	hidden := shop.compileHidden(t, kinds, "sql.result", with+"setup: [db/schema.sql, db/other.sql]\n")
	for _, query := range []string{copied, strings.Replace(joins, "total DESC", "total ASC", 1), "SELECT 'Eli' AS name, 8.75 AS total;"} {
		out = check(t, workspace(t, map[string]string{"query.sql": query}), hidden)
		if out[0].Status != runner.Fail || strings.ContainsAny(out[0].Message, "`") || strings.Contains(out[0].Message, "Eli") {
			t.Errorf("hidden check on %q: %+v", query, out[0])
		}
	}
	if _, err := shop.tryCompile(kinds, "sql.result", with+"setup: [db/nowhere.sql]\n"); err == nil || !strings.Contains(err.Error(), "db/nowhere.sql") {
		t.Errorf("a setup file that is not there: %v", err)
	}
}

// TestResultIsolation: what one attempt does to its data (DROP TABLE) is not
// seen by the next, nor by the reference.
func TestResultIsolation(t *testing.T) {
	kinds := Kinds(provider(t))
	run := shop.compile(t, kinds, "sql.run", "file: vandal.sql\n")
	result := shop.compile(t, kinds, "sql.result", "file: query.sql\nreference: solution/query.sql\nordered: true\n")
	out := check(t, workspace(t, map[string]string{"vandal.sql": "DROP TABLE orders; DELETE FROM customers;"}), run)
	if out[0].Status != runner.Pass {
		t.Fatalf("the learner may drop their own copy's tables: %+v", out[0])
	}
	out = check(t, workspace(t, map[string]string{"query.sql": joins}), result)
	if out[0].Status != runner.Pass {
		t.Fatalf("the next attempt saw the damage: %+v", out[0])
	}
}

// countingDatabases counts the copies of the data attempts asked for.
type countingDatabases struct {
	Databases
	clones *atomic.Int32
}

func (d countingDatabases) Database(ctx context.Context, a runner.Attempt, spec attempt.DatabaseSpec) (*postgres.Attempt, error) {
	d.clones.Add(1)
	return d.Databases.Database(ctx, a, spec)
}

// TestReferenceCachedOnDisk: a learner's next `grader check` (a new process,
// so new Kinds) reads the reference result from the cache folder instead of
// cloning a database to run the reference again.
func TestReferenceCachedOnDisk(t *testing.T) {
	var clones atomic.Int32
	servers := countingDatabases{provider(t), &clones}
	dir := t.TempDir()
	ws := workspace(t, map[string]string{"query.sql": joins})
	for i, want := range []int32{2, 1} {
		clones.Store(0)
		result := shop.compile(t, Kinds(servers, CacheDir(dir)), "sql.result", "file: query.sql\nreference: solution/query.sql\nordered: true\n")
		if out := check(t, ws, result)[0]; out.Status != runner.Pass {
			t.Fatalf("process %d: %+v", i+1, out)
		}
		if got := clones.Load(); got != want {
			t.Errorf("process %d cloned %d databases, want %d (the attempt's%s)", i+1, got, want, map[bool]string{true: " and the reference's", false: " only"}[want == 2])
		}
	}
}

// TestReferenceRunsOnAFreshCopyEachTime: a reference run interrupted at one
// check's deadline is run again by the attempt's next check; that run needs
// a copy of the data of its own, not the first run's (dropped) one.
func TestReferenceRunsOnAFreshCopyEachTime(t *testing.T) {
	k := &kinds{dbs: provider(t)}
	db, err := loadDatabase(runner.Params{Files: shop.files, Service: func(name string, v any) error {
		return yaml.Unmarshal([]byte(shop.services), v)
	}})
	if err != nil {
		t.Fatal(err)
	}
	memo := &runner.Memo{}
	defer memo.Close()
	a := runner.Attempt{Dir: t.TempDir(), Memo: memo}
	scripts := []script{{name: "ref.sql", text: "DELETE FROM orders WHERE id = (SELECT min(id) FROM orders);\nSELECT count(*) FROM orders;"}}
	first, err := k.reference(t.Context(), a, db, scripts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := k.reference(t.Context(), a, db, scripts)
	if err != nil {
		t.Fatalf("the attempt's second reference run: %v", err)
	}
	if d := diff(first, second, true); d != nil {
		t.Errorf("the second run saw the first one's changes: %s", d.message(false))
	}
}
