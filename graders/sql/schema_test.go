package sql

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/backendroadmap/grader/runner"
)

// empty is a database the learner's schema.sql fills.
var empty = exercise{
	files:    fstest.MapFS{"db/empty.sql": {Data: []byte("-- the learner creates every table\n")}},
	services: "setup: [db/empty.sql]\n",
}

const ordersSpec = `after: [schema.sql]
table: orders
columns: {id: serial, customer_id: int4, amount: "numeric(10, 2)", note: varchar, placed_at: timestamptz}
absent_columns: [customer_email]
primary_key: [id]
foreign_keys:
  - {columns: [customer_id], references: customers(id), on_delete: restrict}
unique: [[customer_id, placed_at]]
not_null: [customer_id, amount]
checks: [amount]
indexes: [[customer_id, placed_at]]
`

const goodSchema = `
CREATE TABLE customers (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE orders (
  id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES customers (id) ON DELETE RESTRICT,
  amount      numeric(10,2) NOT NULL CHECK (amount > 0),
  note        character varying(200),
  placed_at   timestamp with time zone NOT NULL DEFAULT now(),
  UNIQUE (placed_at, customer_id)
);
CREATE INDEX ON orders (customer_id, placed_at, amount);
`

func TestSchema(t *testing.T) {
	kinds := Kinds(provider(t))
	c := empty.compile(t, kinds, "sql.schema", ordersSpec)
	tests := []struct {
		name   string
		schema string
		want   runner.Status
		msg    []string
	}{
		{"as specified, in other words", goodSchema, runner.Pass, []string{"table orders has the expected structure"}},
		{"a float amount", strings.Replace(goodSchema, "amount      numeric(10,2)", "amount      double precision", 1), runner.Fail,
			[]string{"column amount of orders is double precision, expected numeric(10,2)"}},
		{"no foreign key", strings.Replace(goodSchema, "REFERENCES customers (id) ON DELETE RESTRICT", "", 1), runner.Fail,
			[]string{"table orders has no foreign key from customer_id to customers(id): add REFERENCES customers(id) ON DELETE RESTRICT to column customer_id"}},
		{"the wrong delete action", strings.Replace(goodSchema, "ON DELETE RESTRICT", "ON DELETE CASCADE", 1), runner.Fail,
			[]string{"the foreign key from customer_id of orders to customers(id) is ON DELETE CASCADE, expected ON DELETE RESTRICT"}},
		{"several problems at once", strings.NewReplacer("amount      numeric(10,2) NOT NULL CHECK (amount > 0)", "amount numeric(10,2)",
			"UNIQUE (placed_at, customer_id)", "UNIQUE (placed_at)", "CREATE INDEX ON orders (customer_id, placed_at, amount)", "CREATE INDEX ON orders (placed_at, customer_id)").Replace(goodSchema), runner.Fail,
			[]string{"table orders has 4 problems:\n- ",
				"column amount of orders allows NULL: add NOT NULL",
				"table orders has no UNIQUE constraint on (customer_id, placed_at): add UNIQUE (customer_id, placed_at)",
				"column amount of orders has no CHECK constraint",
				"table orders has no index that starts with (customer_id, placed_at): add CREATE INDEX ON orders (customer_id, placed_at) (orders_placed_at_customer_id_idx has these columns in another order"}},
		{"a missing column and key", strings.NewReplacer("note        character varying(200),", "", "id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "id int").Replace(goodSchema), runner.Fail,
			[]string{"table orders has no column note: add note character varying", "table orders has no primary key: add PRIMARY KEY (id)"}},
		{"a column left behind", strings.Replace(goodSchema, "note        character varying(200),", "note text, customer_email text,", 1), runner.Fail,
			[]string{"table orders still has column customer_email: drop it (ALTER TABLE orders DROP COLUMN customer_email)"}},
		{"no table", "CREATE TABLE customers (id int PRIMARY KEY);", runner.Fail, []string{"table orders does not exist: create it in schema.sql"}},
		{"a view", "CREATE VIEW orders AS SELECT 1 AS id;", runner.Fail, []string{"orders is not a table"}},
		{"an error", "CREATE TABLE orders (id int PRIMARY KEY, amount numeric(10,2) NOT NUL);", runner.Fail, []string{"schema.sql:1:", "syntax error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := check(t, workspace(t, map[string]string{"schema.sql": tt.schema}), c)[0]
			if out.Status != tt.want {
				t.Fatalf("status %s, want %s: %s\n%s", out.Status, tt.want, out.Message, out.Actual)
			}
			for _, m := range tt.msg {
				if !strings.Contains(out.Message, m) {
					t.Errorf("message %q does not say %q", out.Message, m)
				}
			}
		})
	}
}

// TestSchemaExpressions: an expression index, a multi-column foreign key
// and a unique index that is not a constraint.
func TestSchemaExpressions(t *testing.T) {
	kinds := Kinds(provider(t))
	c := empty.compile(t, kinds, "sql.schema", `after: [schema.sql]
table: seats
columns: {hall: "varchar(10)", seat: int, email: text}
foreign_keys: [{columns: [hall, seat], references: "places(hall, seat)"}]
unique: [[email]]
indexes: [[lower(email)], [hall]]
`)
	schema := `CREATE TABLE places (hall varchar(10), seat int, PRIMARY KEY (hall, seat));
CREATE TABLE seats (hall varchar(10), seat int, email text, FOREIGN KEY (hall, seat) REFERENCES places);
CREATE UNIQUE INDEX ON seats (email);
CREATE INDEX ON seats (lower(email));
CREATE INDEX ON seats (hall, seat);`
	out := check(t, workspace(t, map[string]string{"schema.sql": schema}), c)[0]
	if out.Status != runner.Pass {
		t.Fatalf("%s: %s\n%s", out.Status, out.Message, out.Actual)
	}
	out = check(t, workspace(t, map[string]string{"schema.sql": strings.Replace(schema, "lower(email)", "email, hall", 1)}), c)[0]
	if out.Status != runner.Fail || !strings.Contains(out.Message, "no index that starts with (lower(email))") {
		t.Fatalf("%s: %s", out.Status, out.Message)
	}
}

func TestSchemaParams(t *testing.T) {
	kinds := Kinds(nil)
	tests := []struct{ with, field string }{
		{"table: t\n", "after"},
		{"after: [s.sql]\n", "table"},
		{"after: [s.sql]\ntable: t\ncolumns: {a: ''}\n", "columns.a"},
		{"after: [s.sql]\ntable: t\nforeign_keys: [{columns: [a], references: 'x y'}]\n", "foreign_keys[0].references"},
		{"after: [s.sql]\ntable: t\nforeign_keys: [{columns: [a, b], references: 'x(id)'}]\n", "foreign_keys[0].columns"},
		{"after: [s.sql]\ntable: t\nforeign_keys: [{columns: [a], references: x, on_delete: explode}]\n", "foreign_keys[0].on_delete"},
		{"after: [s.sql]\ntable: t\nindexes: [[]]\n", "indexes[0]"},
	}
	for _, tt := range tests {
		_, err := empty.tryCompile(kinds, "sql.schema", tt.with)
		var pe *runner.ParamError
		if !errors.As(err, &pe) || pe.Field != tt.field {
			t.Errorf("%q: error %v, want a ParamError on %s", tt.with, err, tt.field)
		}
	}
}

func TestNormType(t *testing.T) {
	for in, want := range map[string]string{
		"int": "integer", "SERIAL": "integer", "bigserial": "bigint", "varchar(80)": "character varying(80)",
		"character varying(80)": "character varying(80)", "numeric(10, 2)": "numeric(10,2)", "decimal": "numeric",
		"timestamptz": "timestamp with time zone", "timestamp": "timestamp without time zone",
		"timestamp(3) with time zone": "timestamp(3) with time zone", "bool": "boolean", "float8": "double precision",
		"text[]": "text[]", "uuid": "uuid",
	} {
		if got := normType(in); got != want {
			t.Errorf("normType(%q) = %q, want %q", in, got, want)
		}
	}
	if !sameType("numeric", "numeric(10,2)") || sameType("numeric(10,2)", "numeric(12,2)") || sameType("integer", "bigint") {
		t.Error("sameType: a type without a modifier accepts any modifier, and only then")
	}
	for in, want := range map[string]string{"lower(email::text)": "lower(email)", "(email::text || 'x'::text)": "email||'x'", "Email": "email"} {
		if got := normKey(in); got != want {
			t.Errorf("normKey(%q) = %q, want %q", in, got, want)
		}
	}
}
