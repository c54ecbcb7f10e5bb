package collections

// The probe drives the learner's Stack and Queue for grader's hidden cases:
// each case is a list of operations, and the probe returns what each one
// gave. It holds no expected values.

import (
	graderJSON "encoding/json"
	graderFmt "fmt"
	graderStrconv "strconv"
	graderStrings "strings"
)

func graderProbe(call string, args []graderJSON.RawMessage) (any, error) {
	var ops []string
	if len(args) != 1 || graderJSON.Unmarshal(args[0], &ops) != nil {
		return nil, graderFmt.Errorf("probe: %s wants one list of operations", call)
	}
	var out []any
	switch call {
	case "stack":
		var s Stack[int]
		for _, op := range ops {
			name, arg, _ := graderStrings.Cut(op, " ")
			switch name {
			case "push":
				n, _ := graderStrconv.Atoi(arg)
				s.Push(n)
			case "pop":
				out = append(out, graderGot(s.Pop()))
			case "peek":
				out = append(out, graderGot(s.Peek()))
			case "len":
				out = append(out, s.Len())
			}
		}
	case "queue":
		var q Queue[int]
		for _, op := range ops {
			name, arg, _ := graderStrings.Cut(op, " ")
			switch name {
			case "enqueue":
				n, _ := graderStrconv.Atoi(arg)
				q.Enqueue(n)
			case "dequeue":
				out = append(out, graderGot(q.Dequeue()))
			case "len":
				out = append(out, q.Len())
			}
		}
	default:
		return nil, graderFmt.Errorf("probe: unknown call %q", call)
	}
	return out, nil
}

// graderGot shows a value, or "empty" when there was none.
func graderGot(v int, ok bool) any {
	if !ok {
		return "empty"
	}
	return v
}
