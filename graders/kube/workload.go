package kube

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// podSpecPath is where an object of a workload kind holds its pods' spec,
// as path tokens; nil for a kind that runs no pods.
func podSpecPath(kind string) []string {
	switch kind {
	case "Pod":
		return []string{"spec"}
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController":
		return []string{"spec", "template", "spec"}
	case "CronJob":
		return []string{"spec", "jobTemplate", "spec", "template", "spec"}
	}
	return nil
}

// get walks a value down path tokens: nil when a step is missing.
func get(v any, loc ...string) any {
	for _, tok := range loc {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[tok]
	}
	return v
}

// podLabels are the labels of the pods a workload makes (a Pod's own).
func podLabels(o *object) map[string]string {
	p := podSpecPath(o.kind())
	if p == nil {
		return nil
	}
	meta := append(slices.Clip(p[:len(p)-1]), "metadata", "labels")
	if o.kind() == "Pod" {
		meta = []string{"metadata", "labels"}
	}
	m, _ := get(o.value, meta...).(map[string]any)
	out := map[string]string{}
	for k, v := range m {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// labelString writes labels as app=web,tier=front (or "none").
func labelString(l map[string]string) string {
	if len(l) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(l)) {
		parts = append(parts, k+"="+l[k])
	}
	return strings.Join(parts, ",")
}

// container is one container of a workload's pods, with where it is.
type container struct {
	obj  *object
	loc  []string // its path in the object: spec.template.spec.containers[0]
	spec map[string]any
	init bool
}

func (c container) name() string {
	n, _ := c.spec["name"].(string)
	if n == "" {
		return c.loc[len(c.loc)-1]
	}
	return n
}

// at is a location under the container.
func (c container) at(field ...string) []string {
	return append(slices.Clip(c.loc), field...)
}

// finding is a problem with this container, at field under it.
func (c container) finding(field []string, format string, args ...any) finding {
	return finding{obj: c.obj, loc: c.at(field...), msg: fmt.Sprintf("container %s: ", c.name()) + fmt.Sprintf(format, args...)}
}

// containers lists a workload's containers (and, with init, its init
// containers).
func containers(o *object, init bool) []container {
	p := podSpecPath(o.kind())
	if p == nil || o.value == nil {
		return nil
	}
	var out []container
	fields := []string{"containers"}
	if init {
		fields = append(fields, "initContainers")
	}
	for _, f := range fields {
		l, _ := get(o.value, append(slices.Clip(p), f)...).([]any)
		for i, c := range l {
			m, ok := c.(map[string]any)
			if !ok {
				continue
			}
			out = append(out, container{obj: o, loc: append(slices.Clip(p), f, fmt.Sprint(i)), spec: m, init: f == "initContainers"})
		}
	}
	return out
}

// containerPorts are a container's declared ports: number → name.
func (c container) ports() map[int]string {
	out := map[int]string{}
	l, _ := c.spec["ports"].([]any)
	for _, p := range l {
		n, ok := asInt(get(p, "containerPort"))
		if !ok {
			continue
		}
		name, _ := get(p, "name").(string)
		out[n] = name
	}
	return out
}

// asInt reads a YAML number as an int.
func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case uint64:
		return int(n), true
	case float64:
		if n == float64(int(n)) {
			return int(n), true
		}
	}
	return 0, false
}

// portList writes a container's ports for a message: 8080 (http), 9090.
func portList(ports map[int]string) string {
	if len(ports) == 0 {
		return "no port (it has no ports: list)"
	}
	var parts []string
	for _, n := range slices.Sorted(maps.Keys(ports)) {
		s := fmt.Sprint(n)
		if ports[n] != "" {
			s += " (" + ports[n] + ")"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ", ")
}
