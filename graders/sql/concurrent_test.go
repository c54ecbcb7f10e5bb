package sql

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/backendroadmap/grader/runner"
)

// bank is a counter and an account with a ledger: the data of the
// concurrency checks.
var bank = exercise{
	files: fstest.MapFS{
		"db/schema.sql": {Data: []byte(`
CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL);
CREATE TABLE accounts (id int PRIMARY KEY, balance numeric(10,2) NOT NULL);
CREATE TABLE withdrawals (id serial PRIMARY KEY, account_id int NOT NULL REFERENCES accounts(id), amount numeric(10,2) NOT NULL);
INSERT INTO counters VALUES (1, 0);
INSERT INTO accounts VALUES (1, 100.00);`)},
	},
	services: "setup: [db/schema.sql]\nstatement_timeout: 5s\n",
}

const (
	increment = `
expect:
  query: SELECT n FROM counters WHERE id = 1
  columns: [n]
  rows: [[200]]
  explain: every increment counts
`
	withdraw = `
expect:
  query: |
    SELECT a.balance, count(w.id) AS withdrawals, coalesce(sum(w.amount), 0) AS withdrawn
    FROM accounts a LEFT JOIN withdrawals w ON w.account_id = a.id WHERE a.id = 1 GROUP BY a.id
  columns: [balance, withdrawals, withdrawn]
  rows: [[1.00, 33, 99.00]]
  explain: the balance is 100.00 less the withdrawals, never below zero
`
	// readThenWrite keeps what it read in a temporary table (the
	// application's memory) across a round trip: the lost update.
	readThenWrite = `CREATE TEMP TABLE IF NOT EXISTS seen (n int);
DELETE FROM seen;
INSERT INTO seen SELECT n FROM counters WHERE id = 1;
SELECT pg_sleep(0.005);
UPDATE counters SET n = seen.n + 1 FROM seen WHERE counters.id = 1;
`
	withdrawLocked = `BEGIN;
CREATE TEMP TABLE IF NOT EXISTS seen (balance numeric(10,2));
DELETE FROM seen;
INSERT INTO seen SELECT balance FROM accounts WHERE id = 1 FOR UPDATE;
SELECT pg_sleep(0.005);
INSERT INTO withdrawals (account_id, amount) SELECT 1, 3.00 FROM seen WHERE balance >= 3.00;
UPDATE accounts SET balance = seen.balance - 3.00 FROM seen WHERE accounts.id = 1 AND seen.balance >= 3.00;
COMMIT;
`
)

func TestConcurrent(t *testing.T) {
	kinds := Kinds(provider(t))
	tests := []struct {
		name   string
		with   string
		script string
		want   runner.Status
		msg    []string
	}{
		{"atomic increment", "file: inc.sql\n" + increment, "UPDATE counters SET n = n + 1 WHERE id = 1;", runner.Pass, []string{"8 sessions ran inc.sql 25 times each"}},
		{"read, then write what was read", "file: inc.sql\n" + increment, readThenWrite, runner.Fail,
			[]string{"after 8 sessions ran inc.sql 25 times each, at once: every increment counts: the rows differ", "missing: `(200)`"}},
		{"the same in a transaction, without a lock", "file: inc.sql\n" + increment, "BEGIN;\n" + readThenWrite + "COMMIT;\n", runner.Fail,
			[]string{"every increment counts"}},
		{"FOR UPDATE outside a transaction locks nothing", "file: inc.sql\n" + increment,
			strings.Replace(readThenWrite, "WHERE id = 1;", "WHERE id = 1 FOR UPDATE;", 1), runner.Fail, []string{"every increment counts"}},
		{"locked in a transaction", "file: inc.sql\n" + increment,
			"BEGIN;\n" + strings.Replace(readThenWrite, "WHERE id = 1;", "WHERE id = 1 FOR UPDATE;", 1) + "COMMIT;\n", runner.Pass, nil},
		{"serializable, retried", "file: inc.sql\nretry_on: [\"40001\", 40P01]\n" + increment,
			"BEGIN ISOLATION LEVEL SERIALIZABLE;\n" + readThenWrite + "COMMIT;\n", runner.Pass, nil},
		{"serializable, not retried", "file: inc.sql\n" + increment,
			"BEGIN ISOLATION LEVEL SERIALIZABLE;\n" + readThenWrite + "COMMIT;\n", runner.Fail,
			[]string{"inc.sql fails when 8 sessions run it at once", "could not serialize access", "SQLSTATE 40001", "does not retry it"}},
		{"withdrawal, locked", "file: w.sql\n" + withdraw, withdrawLocked, runner.Pass, nil},
		{"withdrawal in one statement", "file: w.sql\n" + withdraw, `
WITH w AS (UPDATE accounts SET balance = balance - 3.00 WHERE id = 1 AND balance >= 3.00 RETURNING id)
INSERT INTO withdrawals (account_id, amount) SELECT id, 3.00 FROM w;`, runner.Pass, nil},
		{"overdraft: checked on a stale read", "file: w.sql\n" + withdraw,
			strings.NewReplacer("BEGIN;\n", "", "COMMIT;\n", "", " FOR UPDATE", "", "seen.balance - 3.00", "accounts.balance - 3.00").Replace(withdrawLocked), runner.Fail,
			[]string{"the balance is 100.00 less the withdrawals, never below zero", "not expected: `(-"}},
		{"transaction left open", "file: inc.sql\nsessions: 2\nrepeat: 2\n" + increment, "BEGIN;\nUPDATE counters SET n = n + 1 WHERE id = 1;", runner.Fail,
			[]string{"inc.sql leaves a transaction open", "COMMIT"}},
		{"a typo, with its line", "file: inc.sql\n" + increment, "UPDATE counters\nSET n = nn + 1 WHERE id = 1;", runner.Fail,
			[]string{"inc.sql fails when 8 sessions run it at once: inc.sql:2:", `column "nn" does not exist`}},
		{"missing", "file: inc.sql\n" + increment, "", runner.Fail, []string{"inc.sql is missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := bank.compile(t, kinds, "sql.concurrent", tt.with)
			files := map[string]string{}
			if tt.script != "" {
				files[strings.Fields(tt.with)[1]] = tt.script
			}
			out := check(t, workspace(t, files), c)[0]
			if out.Status != tt.want {
				t.Fatalf("status %s, want %s: %s", out.Status, tt.want, out.Message)
			}
			for _, m := range tt.msg {
				if !strings.Contains(out.Message, m) {
					t.Errorf("message %q does not say %q", out.Message, m)
				}
			}
		})
	}
}

func TestConcurrentParams(t *testing.T) {
	kinds := Kinds(nil)
	tests := []struct{ with, field string }{
		{increment, "file"},
		{"file: ../x.sql\n" + increment, "file"},
		{"file: x.sql\nsessions: 1\n" + increment, "sessions"},
		{"file: x.sql\nsessions: 17\n" + increment, "sessions"},
		{"file: x.sql\nrepeat: -1\n" + increment, "repeat"},
		{"file: x.sql\nretry_on: [serialization]\n" + increment, "retry_on[0]"},
		{"file: x.sql\n", "expect.query"},
		{"file: x.sql\nexpect: {query: SELECT 1, columns: [a], rows: [[1, 2]]}\n", "expect.rows[0]"},
	}
	for _, tt := range tests {
		_, err := bank.tryCompile(kinds, "sql.concurrent", tt.with)
		var pe *runner.ParamError
		if !errors.As(err, &pe) || pe.Field != tt.field {
			t.Errorf("%q: error %v, want a ParamError on %s", tt.with, err, tt.field)
		}
	}
}
