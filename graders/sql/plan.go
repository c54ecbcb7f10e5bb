package sql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/backendroadmap/grader/runner"
)

// PlanParams are sql.plan's parameters: a query and what its plan must
// show once the learner's files ran. The plan is the planner's estimate
// (EXPLAIN without ANALYZE) on the template's statistics, which the
// template takes once its setup ran, so the setup must make the table large
// enough for an index to matter (a generate_series of 100k rows or more).
type PlanParams struct {
	// After lists the learner's files that run first: the indexes.
	After []string `yaml:"after"`
	// Query is the exercise's own query, one statement with literal values
	// (EXPLAIN cannot plan $1).
	Query string `yaml:"query"`
	// File is the learner's query file instead of Query: one statement,
	// which runs once before it is explained.
	File string `yaml:"file"`
	// UsesIndex is a table or an index: some node of the plan reads that
	// table through an index, or uses that index.
	UsesIndex string `yaml:"uses_index"`
	// NoSeqScan lists tables the plan must not read with a sequential scan.
	NoSeqScan []string `yaml:"no_seq_scan"`
	// MaxCost bounds the planner's estimated total cost: what separates an
	// index that serves the whole query (filter and order, reading only the
	// rows it returns) from one that merely avoids a sequential scan. Take
	// a bound well between the reference's cost and the wrong solutions'.
	MaxCost float64 `yaml:"max_cost"`
}

// compilePlan: sql.plan runs the learner's files, then EXPLAIN (FORMAT
// JSON) of a query on the learner's session, and walks the plan tree: which
// tables it scans how, which indexes it uses, what it costs. The planner is
// never pushed (no enable_seqscan = off), so a pass means PostgreSQL would
// choose the index on its own.
func (k *kinds) compilePlan(p runner.Params, ps *PlanParams) (runner.Checker, error) {
	files, err := afterList(ps.After)
	if err != nil {
		return nil, err
	}
	switch {
	case ps.File != "" && strings.TrimSpace(ps.Query) != "":
		return nil, &runner.ParamError{Field: "file", Msg: "give query or file, not both"}
	case ps.File != "":
		clean, err := learnerFile("file", ps.File)
		if err != nil {
			return nil, err
		}
		files = append(files, clean)
	case strings.TrimSpace(ps.Query) == "":
		return nil, &runner.ParamError{Field: "query", Msg: "required: the SQL to explain (or file, the learner's query file)"}
	default:
		if stmts, _ := splitScript(ps.Query); len(stmts) != 1 {
			return nil, &runner.ParamError{Field: "query", Msg: "must be exactly one statement"}
		}
	}
	if ps.UsesIndex == "" && len(ps.NoSeqScan) == 0 && ps.MaxCost == 0 {
		return nil, &runner.ParamError{Field: "uses_index", Msg: "required: at least one of uses_index, no_seq_scan or max_cost"}
	}
	if ps.MaxCost < 0 {
		return nil, &runner.ParamError{Field: "max_cost", Msg: "must be positive"}
	}
	db, err := loadDatabase(p)
	if err != nil {
		return nil, err
	}
	return k.checker(db, nil, func(ctx context.Context, a runner.Attempt) runner.Outcome {
		adb, out := k.afterFiles(ctx, a, db, files)
		if out.Status != "" {
			return out
		}
		q := script{name: "the check's query", text: ps.Query}
		if ps.File != "" {
			var problem, err error
			if q, problem, err = readScript(a, ps.File); err != nil {
				return infra(err)
			}
			if problem != nil {
				return runner.Failed("%v", problem)
			}
			if stmts, _ := splitScript(q.text); len(stmts) != 1 {
				return runner.Failed("%s holds %d statements: keep only the query to explain in it", ps.File, len(stmts))
			}
		}
		root, out := adb.explain(ctx, q)
		if root == nil {
			return out
		}
		if msg := ps.judge(root, func(t string) int64 { return adb.tableRows(ctx, t) }); msg != "" {
			return runner.Outcome{Status: runner.Fail, Message: oneLine(q.text) + ": " + msg, Actual: root.tree()}
		}
		return runner.Passed(fmt.Sprintf("the planner chooses %s", root.scans()))
	}), nil
}

// judge returns what is wrong with the plan, "" if nothing. rows gives a
// table's size, for the message about a sequential scan.
func (ps PlanParams) judge(root *planNode, rows func(table string) int64) string {
	for _, t := range ps.NoSeqScan {
		if n := root.find(func(n *planNode, _ string) bool { return n.NodeType == "Seq Scan" && n.Relation == t }); n != nil {
			return fmt.Sprintf("the planner reads all %d rows of %s with a sequential scan (%s): no index serves the query's WHERE clause; create one on the columns it filters by, as the query writes them",
				rows(t), t, n.summary())
		}
	}
	if ix := ps.UsesIndex; ix != "" {
		if root.find(func(n *planNode, table string) bool { return n.Index != "" && (n.Index == ix || table == ix) }) == nil {
			return fmt.Sprintf("the plan uses no index of %s (%s): create an index the query can use, on the columns it filters by", ix, root.scans())
		}
	}
	if ps.MaxCost > 0 && root.Cost > ps.MaxCost {
		return fmt.Sprintf("the planner estimates a cost of %.0f; with an index that serves the whole query it stays under %.0f%s", root.Cost, ps.MaxCost, root.waste())
	}
	return ""
}

// planNode is a node of EXPLAIN (FORMAT JSON)'s plan tree.
type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	Direction string     `json:"Scan Direction"`
	Rows      float64    `json:"Plan Rows"`
	Cost      float64    `json:"Total Cost"`
	Filter    string     `json:"Filter"`
	IndexCond string     `json:"Index Cond"`
	Plans     []planNode `json:"Plans"`
}

// explain plans q on the learner's session. It returns the plan's root, or
// nil and the outcome to report: the learner's error, or the check's.
func (d *attemptDB) explain(ctx context.Context, q script) (*planNode, runner.Outcome) {
	rs, err := d.exec(ctx, script{name: q.name, text: "EXPLAIN (FORMAT JSON) " + q.text})
	var se *ScriptError
	if errors.As(err, &se) {
		return nil, runner.Failed("%s fails after your changes: %s", oneLine(q.text), se.Msg)
	}
	if err != nil {
		return nil, infra(err)
	}
	if rs == nil || len(rs.rows) != 1 || rs.rows[0][0] == nil {
		return nil, infra(errors.New("EXPLAIN returned no plan"))
	}
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(*rs.rows[0][0]), &plans); err != nil || len(plans) != 1 {
		return nil, infra(fmt.Errorf("read EXPLAIN's plan: %v", err))
	}
	return &plans[0].Plan, runner.Outcome{}
}

// find walks the tree depth first and returns the first node match accepts.
// match also gets the table the node reads: its own, or for a Bitmap Index
// Scan the Bitmap Heap Scan's above it.
func (n *planNode) find(match func(n *planNode, table string) bool) *planNode {
	var walk func(n *planNode, table string) *planNode
	walk = func(n *planNode, table string) *planNode {
		if n.Relation != "" {
			table = n.Relation
		}
		if match(n, table) {
			return n
		}
		for i := range n.Plans {
			if m := walk(&n.Plans[i], table); m != nil {
				return m
			}
		}
		return nil
	}
	return walk(n, "")
}

// summary is the node as EXPLAIN's text format heads it: "Index Scan
// Backward using events_user_id_idx on events".
func (n *planNode) summary() string {
	s := n.NodeType
	if n.Direction == "Backward" {
		s += " Backward"
	}
	switch {
	case n.Index != "" && n.Relation == "": // Bitmap Index Scan
		s += " on " + n.Index
	case n.Index != "":
		s += " using " + n.Index + " on " + n.Relation
	case n.Relation != "":
		s += " on " + n.Relation
	}
	return s
}

// estimate is the planner's estimate for the node, as EXPLAIN shows it.
func (n *planNode) estimate() string { return fmt.Sprintf("rows≈%.0f, cost≈%.0f", n.Rows, n.Cost) }

// tree renders the plan, one node a line, for an outcome's Actual.
func (n *planNode) tree() string {
	var b strings.Builder
	var walk func(n *planNode, depth int)
	walk = func(n *planNode, depth int) {
		if depth > 0 {
			b.WriteString(strings.Repeat("  ", depth-1) + "-> ")
		}
		b.WriteString(n.summary() + " (" + n.estimate() + ")")
		for _, c := range [][2]string{{"Index Cond", n.IndexCond}, {"Filter", n.Filter}} {
			if c[1] != "" {
				b.WriteString("\n" + strings.Repeat("  ", depth+1) + c[0] + ": " + c[1])
			}
		}
		b.WriteByte('\n')
		for i := range n.Plans {
			walk(&n.Plans[i], depth+1)
		}
	}
	walk(n, 0)
	return strings.TrimRight(b.String(), "\n")
}

// scans lists how the plan reads its tables, for messages.
func (n *planNode) scans() string {
	var parts []string
	n.find(func(n *planNode, _ string) bool {
		if n.Relation != "" || n.Index != "" {
			parts = append(parts, n.summary()+" ("+n.estimate()+")")
		}
		return false
	})
	if len(parts) == 0 {
		return "a plan that reads no table"
	}
	return strings.Join(parts, ", ")
}

// waste names the work in the plan an index could spare: rows read and then
// discarded by a filter, rows sorted after reading.
func (n *planNode) waste() string {
	var parts []string
	n.find(func(n *planNode, _ string) bool {
		switch {
		case n.Filter != "" && n.Relation != "":
			parts = append(parts, fmt.Sprintf("%s reads rows and then discards those that fail %s", n.summary(), n.Filter))
		case n.NodeType == "Sort" || n.NodeType == "Incremental Sort":
			parts = append(parts, "it sorts the rows after reading them (an index in the query's order returns them sorted)")
		}
		return false
	})
	parts = slices.Compact(parts)
	if len(parts) == 0 {
		switch scan := n.costliestScan(); {
		case scan != nil && scan.Index != "":
			parts = append(parts, fmt.Sprintf("%s expects to read far more of the index than the rows it returns (%s): the index's first column does not lead straight to them", scan.summary(), scan.estimate()))
		case scan != nil:
			parts = append(parts, fmt.Sprintf("%s reads the whole table (%s)", scan.summary(), scan.estimate()))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ": " + strings.Join(parts, "; ")
}

// costliestScan is the node reading a table or index with the highest
// estimated cost.
func (n *planNode) costliestScan() *planNode {
	var top *planNode
	n.find(func(n *planNode, _ string) bool {
		if (n.Relation != "" || n.Index != "") && (top == nil || n.Cost > top.Cost) {
			top = n
		}
		return false
	})
	return top
}

// tableRows is the planner's idea of a table's size (pg_class.reltuples),
// for messages; 0 when unknown.
func (d *attemptDB) tableRows(ctx context.Context, table string) int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	var n float64
	if err := d.conn.QueryRow(ctx, `SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)`, pgx.Identifier{table}.Sanitize()).Scan(&n); err != nil {
		return 0
	}
	return int64(n)
}
