package sql

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/backendroadmap/grader/runner"
)

// activity is a table large enough (200k rows) that the planner's choice
// of index matters: the sql-indexes exercise's data.
var activity = exercise{
	files:    fstest.MapFS{"db/seed.sql": {Data: []byte(activitySeed)}},
	services: "setup: [db/seed.sql]\nstatement_timeout: 20s\n",
}

const activitySeed = `CREATE TABLE users (
  id         integer PRIMARY KEY,
  email      text NOT NULL,
  name       text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    integer NOT NULL REFERENCES users (id),
  kind       text NOT NULL,
  created_at timestamptz NOT NULL,
  payload    text NOT NULL
);

INSERT INTO users (id, email, name, created_at)
SELECT i,
       CASE WHEN i % 4 = 0 THEN 'User' || i || '@Example.COM' ELSE 'user' || i || '@example.com' END,
       'User ' || i,
       timestamptz '2025-01-01 00:00:00+00' + i * interval '17 minutes'
FROM generate_series(1, 20000) AS i;

INSERT INTO events (user_id, kind, created_at, payload)
SELECT 1 + (i * 7919) % 1000,
       (ARRAY['login', 'view', 'click', 'purchase', 'logout'])[1 + i % 5],
       timestamptz '2026-01-01 00:00:00+00' + i * interval '39 seconds',
       repeat('x', 60)
FROM generate_series(1, 200000) AS i;
`

const (
	feed   = "query: SELECT id, kind, created_at FROM events WHERE user_id = 42 AND created_at >= '2026-03-01' ORDER BY created_at DESC LIMIT 20\n"
	lookup = "query: SELECT id, name FROM users WHERE lower(email) = 'user4242@example.com'\n"
)

func TestPlan(t *testing.T) {
	kinds := Kinds(provider(t))
	tests := []struct {
		name    string
		with    string
		indexes string
		want    runner.Status
		msg     []string
	}{
		{"no index", "no_seq_scan: [events]\n" + feed, "-- none yet\nSELECT 1;", runner.Fail,
			[]string{"the planner reads all 200000 rows of events with a sequential scan (Seq Scan on events)", "create one on the columns it filters by"}},
		{"the filter and the order", "no_seq_scan: [events]\nmax_cost: 200\n" + feed, "CREATE INDEX ON events (user_id, created_at);", runner.Pass,
			[]string{"Index Scan Backward using events_user_id_created_at_idx on events"}},
		{"the filter only: a sort", "no_seq_scan: [events]\nmax_cost: 200\n" + feed, "CREATE INDEX ON events (user_id);", runner.Fail,
			[]string{"the planner estimates a cost of", "with an index that serves the whole query it stays under 200", "it sorts the rows after reading them"}},
		{"the order only: a filter", "max_cost: 200\n" + feed, "CREATE INDEX ON events (created_at);", runner.Fail,
			[]string{"Index Scan Backward using events_created_at_idx on events", "reads rows and then discards those that fail (user_id = 42)"}},
		{"columns in the wrong order", "max_cost: 200\n" + feed, "CREATE INDEX ON events (created_at, user_id);", runner.Fail,
			[]string{"the planner estimates a cost of"}},
		{"an expression index", "uses_index: users\nno_seq_scan: [users]\n" + lookup, "CREATE INDEX ON users (lower(email));", runner.Pass, nil},
		{"named by the index", "uses_index: users_by_email\n" + lookup, "CREATE INDEX users_by_email ON users (lower(email));", runner.Pass, nil},
		{"the column, not the expression", "uses_index: users\n" + lookup, "CREATE INDEX ON users (email);", runner.Fail,
			[]string{"the plan uses no index of users (Seq Scan on users"}},
		{"a table dropped", "no_seq_scan: [users]\n" + lookup, "DROP TABLE events; DROP TABLE users;", runner.Fail,
			[]string{"fails after your changes", `relation "users" does not exist`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := activity.compile(t, kinds, "sql.plan", "after: [indexes.sql]\n"+tt.with)
			out := check(t, workspace(t, map[string]string{"indexes.sql": tt.indexes}), c)[0]
			if out.Status != tt.want {
				t.Fatalf("status %s, want %s: %s\n%s", out.Status, tt.want, out.Message, out.Actual)
			}
			for _, m := range tt.msg {
				if !strings.Contains(out.Message, m) {
					t.Errorf("message %q does not say %q", out.Message, m)
				}
			}
			if tt.want == runner.Fail && out.Actual == "" && tt.name != "a table dropped" {
				t.Error("the plan is not shown")
			}
		})
	}
}

// TestPlanFile explains the learner's own query.
func TestPlanFile(t *testing.T) {
	kinds := Kinds(provider(t))
	c := activity.compile(t, kinds, "sql.plan", "file: query.sql\nno_seq_scan: [users]\n")
	out := check(t, workspace(t, map[string]string{"query.sql": "-- find a user\nSELECT id FROM users WHERE id = 4242;\n"}), c)[0]
	if out.Status != runner.Pass {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
	out = check(t, workspace(t, map[string]string{"query.sql": "SELECT id FROM users WHERE name = 'User 4242';"}), c)[0]
	if out.Status != runner.Fail || !strings.Contains(out.Message, "Seq Scan on users") {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
	out = check(t, workspace(t, map[string]string{"query.sql": "SELECT 1; SELECT 2;"}), c)[0]
	if out.Status != runner.Fail || !strings.Contains(out.Message, "query.sql holds 2 statements") {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
}

func TestPlanParams(t *testing.T) {
	kinds := Kinds(nil)
	tests := []struct{ with, field string }{
		{"no_seq_scan: [t]\n", "query"},
		{"query: SELECT 1\nfile: q.sql\nno_seq_scan: [t]\n", "file"},
		{"query: SELECT 1; SELECT 2\nno_seq_scan: [t]\n", "query"},
		{"query: SELECT 1\n", "uses_index"},
		{"query: SELECT 1\nmax_cost: -1\n", "max_cost"},
		{"file: /etc/passwd\nno_seq_scan: [t]\n", "file"},
	}
	for _, tt := range tests {
		_, err := activity.tryCompile(kinds, "sql.plan", tt.with)
		var pe *runner.ParamError
		if !errors.As(err, &pe) || pe.Field != tt.field {
			t.Errorf("%q: error %v, want a ParamError on %s", tt.with, err, tt.field)
		}
	}
}
