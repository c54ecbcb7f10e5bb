package events

// Drives the learner's Bus for grader's hidden cases: a script of
// operations, and a log of what each handler saw. No expected values here.

import (
	graderJSON "encoding/json"
	graderFmt "fmt"
	graderStrings "strings"
)

func graderProbe(call string, args []graderJSON.RawMessage) (any, error) {
	var ops []string
	if call != "script" || len(args) != 1 || graderJSON.Unmarshal(args[0], &ops) != nil {
		return nil, graderFmt.Errorf("probe: want script([ops])")
	}
	bus := NewBus()
	var log []string
	unsub := map[string]func(){}
	for _, op := range ops {
		f := graderStrings.Fields(op)
		switch f[0] {
		case "sub": // sub NAME TOPIC
			name := f[1]
			unsub[name] = bus.Subscribe(f[2], HandlerFunc(func(e Event) {
				log = append(log, name+" got "+e.Topic+":"+e.Payload)
			}))
		case "unsub":
			unsub[f[1]]()
		case "pub": // pub TOPIC PAYLOAD
			n := bus.Publish(Event{Topic: f[1], Payload: f[2]})
			log = append(log, graderFmt.Sprintf("published to %d", n))
		}
	}
	return log, nil
}
