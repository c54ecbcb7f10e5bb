package kube

import (
	"fmt"
	"maps"
	"math/big"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// apiFormats are the formats the API server checks names and quantities
// against (RFC 1123 and RFC 1035 names, Kubernetes quantities), as
// expressions of our own: the k8s.io/apimachinery packages that hold them
// are not worth their weight in the binary for four expressions.
type apiFormats struct {
	dns1123, dns1123Label, dns1035, quantity *regexp.Regexp
	// suffixes are the multipliers of quantities' suffixes.
	suffixes map[string]*big.Rat
}

// formats compiles the formats on first use: package-level regexps would be
// compiled at every start of grader.
func formats() *apiFormats {
	formatsOnce.Do(func() {
		formatsVal = &apiFormats{
			dns1123:      regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`),
			dns1123Label: regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`),
			dns1035:      regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`),
			suffixes: map[string]*big.Rat{
				"": big.NewRat(1, 1), "n": big.NewRat(1, 1e9), "u": big.NewRat(1, 1e6), "m": big.NewRat(1, 1e3),
				"k": big.NewRat(1e3, 1), "M": big.NewRat(1e6, 1), "G": big.NewRat(1e9, 1), "T": big.NewRat(1e12, 1),
				"P": big.NewRat(1e15, 1), "E": big.NewRat(1e18, 1),
				"Ki": big.NewRat(1<<10, 1), "Mi": big.NewRat(1<<20, 1), "Gi": big.NewRat(1<<30, 1), "Ti": big.NewRat(1<<40, 1),
				"Pi": big.NewRat(1<<50, 1), "Ei": big.NewRat(1<<60, 1),
			},
			quantity: regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE])?$`),
		}
	})
	return formatsVal
}

var (
	formatsOnce sync.Once
	formatsVal  *apiFormats
)

// serverRules are checks the API server makes beyond its schemas, which a
// manifest commonly gets wrong: an object without a valid name, a container
// name or quantity the API refuses (128MB), a port out of range, a
// workload whose selector does not select its own pod template.
func serverRules(o *object) []finding {
	var out []finding
	f := formats()
	meta, _ := o.value["metadata"].(map[string]any)
	if n, _ := meta["name"].(string); n == "" {
		if g, _ := meta["generateName"].(string); g == "" {
			out = append(out, finding{obj: o, loc: []string{"metadata"}, msg: "metadata.name is missing: every object needs a name (metadata: {name: web})"})
		}
	}
	if n, _ := meta["name"].(string); n != "" {
		if o.kind() == "Service" && !f.dns1035.MatchString(n) {
			out = append(out, finding{obj: o, loc: []string{"metadata", "name"}, msg: fmt.Sprintf("metadata.name %q is not a valid Service name: lower-case letters, digits and '-', starting with a letter, at most 63 characters (it becomes a DNS name)", n)})
		} else if len(n) > 253 || !f.dns1123.MatchString(n) {
			out = append(out, finding{obj: o, loc: []string{"metadata", "name"}, msg: fmt.Sprintf("metadata.name %q is not a valid name: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit", n)})
		}
	}
	for _, c := range containers(o, true) {
		if _, ok := c.spec["image"]; !ok {
			out = append(out, c.finding(nil, "image is missing: say which image the container runs (image: registry.example.com/app:1.0)"))
		}
		out = append(out, enums(o, c.loc, c.spec, containerEnums)...)
		out = append(out, requestsOverLimits(c)...)
		if n, _ := c.spec["name"].(string); n != "" && (len(n) > 63 || !f.dns1123Label.MatchString(n)) {
			out = append(out, c.finding([]string{"name"}, "name %q is not a valid container name: lower-case letters, digits and '-', at most 63 characters", n))
		}
		for _, part := range []string{"requests", "limits"} {
			res, _ := get(c.spec, "resources", part).(map[string]any)
			for _, k := range slices.Sorted(maps.Keys(res)) {
				if q, ok := res[k].(string); ok && !f.quantity.MatchString(q) {
					out = append(out, c.finding([]string{"resources", part, k}, "resources.%s.%s %q is not a quantity: write a number with a suffix, like 500m (CPU: thousandths of a core) or 128Mi (memory: Ki, Mi, Gi; or k, M, G)", part, k, q))
				}
			}
		}
		ports, _ := c.spec["ports"].([]any)
		for i, p := range ports {
			if n, ok := asInt(get(p, "containerPort")); ok && (n < 1 || n > 65535) {
				out = append(out, c.finding([]string{"ports", fmt.Sprint(i), "containerPort"}, "containerPort %d is not a port number (1 to 65535)", n))
			}
		}
	}
	if p := podSpecPath(o.kind()); p != nil {
		spec, _ := get(o.value, p...).(map[string]any)
		out = append(out, enums(o, p, spec, podEnums)...)
		// The schemas leave a pod's spec optional (and its list may be
		// empty); the API server refuses pods with no container. A spec
		// that is there but lacks the list is the schema check's to name.
		if cs, listed := spec["containers"].([]any); spec == nil || (listed && len(cs) == 0) {
			loc := p
			for len(loc) > 0 && get(o.value, loc...) == nil {
				loc = loc[:len(loc)-1]
			}
			out = append(out, finding{obj: o, loc: loc, msg: fmt.Sprintf("%s.containers is missing: the API server refuses a pod with no container; list at least one (containers: [{name: web, image: registry.example.com/app:1.0}])", strings.Join(p, "."))})
		}
	}
	if o.kind() == "Service" {
		spec, _ := get(o.value, "spec").(map[string]any)
		out = append(out, enums(o, []string{"spec"}, spec, serviceEnums)...)
		ports, _ := get(o.value, "spec", "ports").([]any)
		for i, p := range ports {
			if n, ok := asInt(get(p, "port")); ok && (n < 1 || n > 65535) {
				out = append(out, finding{obj: o, loc: []string{"spec", "ports", fmt.Sprint(i), "port"}, msg: fmt.Sprintf("spec.ports[%d].port %d is not a port number (1 to 65535)", i, n)})
			}
		}
	}
	switch o.kind() {
	case "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet":
	default:
		return out
	}
	spec, ok := o.value["spec"].(map[string]any)
	if !ok {
		return append(out, finding{obj: o, msg: fmt.Sprintf("spec is missing: a %s needs spec.selector.matchLabels, and spec.template with those labels and the pods' containers", o.kind())})
	}
	sel, ok := spec["selector"].(map[string]any)
	if !ok {
		return out // the schema names the missing selector
	}
	ml, _ := sel["matchLabels"].(map[string]any)
	labels := podLabels(o)
	if len(ml) == 0 {
		if _, hasExpr := sel["matchExpressions"]; !hasExpr {
			out = append(out, finding{obj: o, loc: []string{"spec", "selector"}, msg: "spec.selector.matchLabels is missing: say which pods the " + o.kind() + " owns, with the labels of spec.template.metadata.labels"})
		}
		return out
	}
	for _, k := range slices.Sorted(maps.Keys(ml)) {
		if fmt.Sprint(ml[k]) != labels[k] {
			out = append(out, finding{obj: o, loc: []string{"spec", "selector", "matchLabels", k}, msg: fmt.Sprintf("spec.selector.matchLabels %s=%v does not match the pod template's labels (%s): the API server refuses a %s whose selector does not select its own pods", k, ml[k], labelString(labels), o.kind())})
		}
	}
	return out
}

// enumField is an enumerated field learners often write, with the values
// the API server accepts (the OpenAPI v3 documents give them only in
// prose). Its path is under the object that holds it; "*" stands for each
// item of a list. Tables of these are static data: no init-time work.
type enumField struct {
	path    string
	allowed []string
}

var (
	containerEnums = []enumField{
		{"imagePullPolicy", []string{"Always", "IfNotPresent", "Never"}},
		{"ports.*.protocol", []string{"TCP", "UDP", "SCTP"}},
	}
	podEnums = []enumField{
		{"restartPolicy", []string{"Always", "OnFailure", "Never"}},
		{"dnsPolicy", []string{"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}},
	}
	serviceEnums = []enumField{
		{"type", []string{"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}},
		{"ports.*.protocol", []string{"TCP", "UDP", "SCTP"}},
		{"externalTrafficPolicy", []string{"Cluster", "Local"}},
		{"sessionAffinity", []string{"None", "ClientIP"}},
	}
)

// enums checks the fields of table under v (at loc in o) against their
// allowed values.
func enums(o *object, loc []string, v map[string]any, table []enumField) []finding {
	var out []finding
	for _, e := range table {
		path, allowed := e.path, e.allowed
		var walk func(cur any, at []string, rest []string)
		walk = func(cur any, at []string, rest []string) {
			if len(rest) == 0 {
				s, ok := cur.(string)
				if ok && !slices.Contains(allowed, s) {
					msg := fmt.Sprintf("%s %q is not one of %s", fieldPath(at), s, strings.Join(allowed, ", "))
					if near := nearest(s, allowed); near != "" {
						msg += fmt.Sprintf(": did you mean %s?", near)
					}
					out = append(out, finding{obj: o, loc: at, msg: msg})
				}
				return
			}
			if rest[0] == "*" {
				l, _ := cur.([]any)
				for i, item := range l {
					walk(item, append(slices.Clip(at), fmt.Sprint(i)), rest[1:])
				}
				return
			}
			m, _ := cur.(map[string]any)
			if next, ok := m[rest[0]]; ok {
				walk(next, append(slices.Clip(at), rest[0]), rest[1:])
			}
		}
		walk(v, loc, strings.Split(path, "."))
	}
	return out
}

// requestsOverLimits finds a request above its limit, which the API server
// refuses ("must be less than or equal to cpu limit").
func requestsOverLimits(c container) []finding {
	var out []finding
	for _, res := range []string{"cpu", "memory"} {
		req, okReq := parseQuantity(get(c.spec, "resources", "requests", res))
		lim, okLim := parseQuantity(get(c.spec, "resources", "limits", res))
		if okReq && okLim && req.Cmp(lim) > 0 {
			out = append(out, c.finding([]string{"resources", "requests", res}, "resources.requests.%s (%v) is more than resources.limits.%s (%v): a container cannot be guaranteed more than it may use; request at most the limit", res, get(c.spec, "resources", "requests", res), res, get(c.spec, "resources", "limits", res)))
		}
	}
	return out
}

// parseQuantity reads a quantity (a YAML number, or a string like 500m,
// 1.5Gi or 1e3) as an exact number; false when it is not one.
func parseQuantity(v any) (*big.Rat, bool) {
	var s string
	switch q := v.(type) {
	case string:
		s = q
	case int, int64, uint64, float64:
		s = fmt.Sprint(q)
	default:
		return nil, false
	}
	if !formats().quantity.MatchString(s) {
		return nil, false
	}
	num, suffix := s, ""
	for _, suf := range []string{"Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"} {
		if strings.HasSuffix(s, suf) {
			num, suffix = strings.TrimSuffix(s, suf), suf
			break
		}
	}
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return nil, false
	}
	return r.Mul(r, formats().suffixes[suffix]), true
}
