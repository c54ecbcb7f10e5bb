package kube

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checkResources asks every container for cpu and memory requests and
// limits.
func checkResources(objs []*object) []finding {
	var out []finding
	for _, o := range objs {
		for _, c := range containers(o, false) {
			var missing []string
			for _, part := range []string{"requests", "limits"} {
				for _, res := range []string{"cpu", "memory"} {
					if get(c.spec, "resources", part, res) == nil {
						missing = append(missing, part+"."+res)
					}
				}
			}
			if len(missing) == 0 {
				continue
			}
			msg := fmt.Sprintf("resources %s not set: ", strings.Join(missing, ", "))
			switch {
			case get(c.spec, "resources", "limits") != nil && get(c.spec, "resources", "requests") == nil:
				msg += "with limits but no requests, Kubernetes copies the limits into the requests, so every pod reserves its maximum; set requests to what the container needs normally (requests: {cpu: 100m, memory: 128Mi}) and keep limits as the ceiling"
			case get(c.spec, "resources") == nil:
				msg += "the scheduler places a pod by its requests, and limits stop one container from starving its neighbours; add resources: {requests: {cpu: 100m, memory: 128Mi}, limits: {cpu: 500m, memory: 256Mi}}"
			default:
				msg += "give both cpu and memory, under both requests and limits"
			}
			loc := []string{"resources"}
			if get(c.spec, "resources") == nil {
				loc = nil
			}
			out = append(out, c.finding(loc, "%s", msg))
		}
	}
	return out
}

// ProbeRule asks for liveness and readiness probes; a path, when set, is the
// HTTP path the probe must GET.
type ProbeRule struct {
	// Liveness is the path livenessProbe.httpGet must ask for ("" is any
	// probe).
	Liveness string `yaml:"liveness"`
	// Readiness is the path readinessProbe.httpGet must ask for.
	Readiness string `yaml:"readiness"`
}

// checkProbes asks every container for both probes, on a port it declares.
func checkProbes(objs []*object, r ProbeRule) []finding {
	var out []finding
	for _, o := range objs {
		if o.kind() == "Job" || o.kind() == "CronJob" {
			continue // a Job's pods run to completion: no probes
		}
		for _, c := range containers(o, false) {
			for _, p := range []struct{ field, path, why string }{
				{"livenessProbe", r.Liveness, "Kubernetes restarts a container whose liveness probe fails, so a hung server comes back"},
				{"readinessProbe", r.Readiness, "a Service sends traffic only to pods whose readiness probe passes, so no request reaches a pod still starting"},
			} {
				probe, _ := c.spec[p.field].(map[string]any)
				if probe == nil {
					example := "httpGet: {path: /healthz, port: 8080}"
					if p.path != "" {
						example = fmt.Sprintf("httpGet: {path: %s, port: <the containerPort>}", p.path)
					}
					out = append(out, c.finding(nil, "no %s: %s; add %s: {%s}", p.field, p.why, p.field, example))
					continue
				}
				out = append(out, probePort(c, p.field, probe)...)
				if p.path != "" {
					got, _ := get(probe, "httpGet", "path").(string)
					if got != p.path {
						where := []string{p.field}
						if get(probe, "httpGet") != nil {
							where = append(where, "httpGet")
						}
						desc := "no httpGet"
						if get(probe, "httpGet") != nil {
							desc = fmt.Sprintf("httpGet.path %q", got)
						}
						out = append(out, c.finding(where, "%s has %s: the app answers it on GET %s", p.field, desc, p.path))
					}
				}
			}
		}
	}
	return out
}

// probePort checks that the port a probe reaches is one the container
// declares, by number or by name.
func probePort(c container, field string, probe map[string]any) []finding {
	for _, handler := range []string{"httpGet", "tcpSocket", "grpc"} {
		port := get(probe, handler, "port")
		if port == nil {
			continue
		}
		loc := []string{field, handler, "port"}
		ports := c.ports()
		switch p := port.(type) {
		case string:
			for _, name := range ports {
				if name == p {
					return nil
				}
			}
			return []finding{c.finding(loc, "%s.%s.port is %q, but no containerPort has that name; the container declares %s", field, handler, p, portList(ports))}
		default:
			n, ok := asInt(p)
			if !ok {
				return nil // the schema check reports the type
			}
			if _, ok := ports[n]; ok {
				return nil
			}
			return []finding{c.finding(loc, "%s.%s.port is %d, but the container declares %s: a probe on a port nothing listens on fails, and the container is restarted or never ready", field, handler, n, portList(ports))}
		}
	}
	return nil
}

// checkNonRoot asks every container to run as a user other than root and
// not to gain privileges.
func checkNonRoot(objs []*object) []finding {
	var out []finding
	for _, o := range objs {
		p := podSpecPath(o.kind())
		for _, c := range containers(o, true) {
			pod := get(o.value, append(slices.Clip(p), "securityContext")...)
			nonRoot := get(c.spec, "securityContext", "runAsNonRoot")
			if nonRoot == nil {
				nonRoot = get(pod, "runAsNonRoot")
			}
			user := get(c.spec, "securityContext", "runAsUser")
			userLoc := []string{"securityContext", "runAsUser"}
			if user == nil {
				user = get(pod, "runAsUser")
			}
			uid, hasUID := asInt(user)
			switch {
			case hasUID && uid == 0:
				out = append(out, c.finding(userLoc, "runAsUser is 0, which is root: run as an unprivileged user (runAsUser: 10001) with runAsNonRoot: true"))
			case nonRoot != true && !hasUID:
				out = append(out, c.finding(nil, "nothing stops it running as root (the image's default user): set securityContext: {runAsNonRoot: true} so the kubelet refuses to start it as root, and runAsUser to a non-zero id if the image has no USER"))
			}
			if get(c.spec, "securityContext", "allowPrivilegeEscalation") != false {
				out = append(out, c.finding(nil, "securityContext.allowPrivilegeEscalation is not false: set it to false, so no setuid program in the image can make the process root again"))
			}
		}
	}
	return out
}

// checkImages asks every image for a pinned tag and, when images is set,
// for one of those images.
func checkImages(objs []*object, pinned bool, images []string) []finding {
	var out []finding
	for _, o := range objs {
		for _, c := range containers(o, true) {
			img, _ := c.spec["image"].(string)
			if img == "" {
				out = append(out, c.finding(nil, "no image: say which image the container runs"))
				continue
			}
			if pinned {
				if tag := imageTag(img); tag == "" {
					out = append(out, c.finding([]string{"image"}, "image %s has no tag, which means :latest: pin a version (%s:1.4.2), so every node runs the same code and a rollout can be undone", img, img))
				} else if tag == "latest" {
					out = append(out, c.finding([]string{"image"}, "image %s uses the latest tag, which moves: pin a version, so every node runs the same code and a rollout can be undone", img))
				}
			}
			if len(images) > 0 && !slices.Contains(images, img) {
				out = append(out, c.finding([]string{"image"}, "image is %s: the exercise deploys %s", img, strings.Join(images, " or ")))
			}
		}
	}
	return out
}

// imageTag is an image reference's tag: "" when it has none, "@" followed
// by the digest when pinned by digest.
func imageTag(ref string) string {
	if i := strings.Index(ref, "@"); i >= 0 {
		return ref[i:]
	}
	last := ref[strings.LastIndex(ref, "/")+1:]
	if i := strings.LastIndex(last, ":"); i >= 0 {
		return last[i+1:]
	}
	return ""
}

// checkPorts asks every workload to declare each port as a containerPort.
func checkPorts(objs []*object, want []int) []finding {
	var out []finding
	for _, o := range objs {
		cs := containers(o, false)
		if len(cs) == 0 {
			continue // no container: kube.schema reports the missing list
		}
		for _, port := range want {
			found := slices.ContainsFunc(cs, func(c container) bool { _, ok := c.ports()[port]; return ok })
			if !found {
				out = append(out, cs[0].finding([]string{"ports"}, "declares %s, but the app listens on %d: list it (ports: [{name: http, containerPort: %d}]), so probes and Services can name it", portList(cs[0].ports()), port, port))
			}
		}
	}
	return out
}

// replicated are the kinds whose spec.replicas counts pods.
var replicated = []string{"Deployment", "StatefulSet", "ReplicaSet"}

// checkReplicas asks every replicated workload for at least n replicas.
func checkReplicas(objs []*object, n int) []finding {
	var out []finding
	for _, o := range objs {
		if !slices.Contains(replicated, o.kind()) {
			continue
		}
		r, ok := asInt(get(o.value, "spec", "replicas"))
		switch {
		case get(o.value, "spec", "replicas") == nil:
			out = append(out, finding{obj: o, loc: []string{"spec"}, msg: fmt.Sprintf("spec.replicas is not set, so Kubernetes runs 1 pod: set replicas: %d, so one pod can fail or be replaced while others serve", n)})
		case ok && r < n:
			out = append(out, finding{obj: o, loc: []string{"spec", "replicas"}, msg: fmt.Sprintf("spec.replicas is %d: run at least %d, so one pod can fail or be replaced while others serve", r, n)})
		}
	}
	return out
}

// ServiceRule asks for Services that reach the workloads' pods.
type ServiceRule struct {
	// Port, when set, is a port at least one Service must expose.
	Port int `yaml:"port"`
}

// checkServices asks for at least one Service, each selecting the pods of a
// workload in the files and sending each port to a port those pods declare.
func checkServices(objs []*object, r ServiceRule) []finding {
	var out []finding
	var services, workloads []*object
	for _, o := range objs {
		switch {
		case o.kind() == "Service":
			services = append(services, o)
		case podSpecPath(o.kind()) != nil:
			workloads = append(workloads, o)
		}
	}
	if len(services) == 0 {
		if len(objs) > 0 {
			out = append(out, finding{msg: "there is no Service: pods come and go with new addresses; a Service gives them one stable name and port (kind: Service, apiVersion: v1)"})
		}
		return out
	}
	exposed := false
	for _, svc := range services {
		sel, _ := get(svc.value, "spec", "selector").(map[string]any)
		if t, _ := get(svc.value, "spec", "type").(string); t == "ExternalName" {
			continue
		}
		ports, _ := get(svc.value, "spec", "ports").([]any)
		for _, p := range ports {
			if port, _ := asInt(get(p, "port")); r.Port != 0 && port == r.Port {
				exposed = true
			}
		}
		if len(sel) == 0 {
			out = append(out, finding{obj: svc, loc: []string{"spec"}, msg: "spec.selector is missing: without it the Service sends traffic to no pod; give it the labels of your pod template"})
			continue
		}
		want := map[string]string{}
		for k, v := range sel {
			want[k] = fmt.Sprint(v)
		}
		var selected []*object
		var seen []string
		for _, w := range workloads {
			if ns(w) != ns(svc) {
				continue
			}
			labels := podLabels(w)
			if selects(want, labels) {
				selected = append(selected, w)
			}
			seen = append(seen, fmt.Sprintf("%s's pods have %s", w, labelString(labels)))
		}
		if len(selected) == 0 {
			msg := fmt.Sprintf("spec.selector %s matches no pod in your manifests", labelString(want))
			if len(seen) > 0 {
				msg += ": " + strings.Join(seen, "; ") + "; a Service selects the pods that have every one of its selector's labels"
			}
			out = append(out, finding{obj: svc, loc: []string{"spec", "selector"}, msg: msg})
			continue
		}
		for i, p := range ports {
			port, _ := asInt(get(p, "port"))
			target := get(p, "targetPort")
			loc := []string{"spec", "ports", fmt.Sprint(i), "targetPort"}
			if target == nil {
				target = port
				loc = loc[:3]
			}
			if !reaches(selected, target) {
				var declared []string
				for _, w := range selected {
					for _, c := range containers(w, false) {
						declared = append(declared, fmt.Sprintf("%s container %s declares %s", w, c.name(), portList(c.ports())))
					}
				}
				what := fmt.Sprintf("targetPort %v", target)
				if get(p, "targetPort") == nil {
					what = fmt.Sprintf("port %d (with no targetPort, also the pods' port)", port)
				}
				out = append(out, finding{obj: svc, loc: loc, msg: fmt.Sprintf("%s is no port of the pods it selects: %s; targetPort must be a containerPort, by number or by name", what, strings.Join(declared, "; "))})
			}
		}
	}
	if r.Port != 0 && !exposed {
		out = append(out, finding{obj: services[0], loc: []string{"spec", "ports"}, msg: fmt.Sprintf("no Service exposes port %d: the exercise's clients connect to the Service on %d (ports: [{port: %d, targetPort: ...}])", r.Port, r.Port, r.Port)})
	}
	return out
}

// ns is an object's namespace as written ("" for the default one).
func ns(o *object) string {
	s, _ := get(o.value, "metadata", "namespace").(string)
	if s == "default" {
		return ""
	}
	return s
}

// selects reports whether pods with labels are selected by sel.
func selects(sel, labels map[string]string) bool {
	for k, v := range sel {
		if got, ok := labels[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// reaches reports whether some container of the workloads declares the
// target port: a number, or a port's name.
func reaches(workloads []*object, target any) bool {
	for _, w := range workloads {
		for _, c := range containers(w, false) {
			ports := c.ports()
			if name, ok := target.(string); ok {
				if slices.Contains(slices.Collect(maps.Values(ports)), name) {
					return true
				}
				continue
			}
			if n, ok := asInt(target); ok {
				if _, ok := ports[n]; ok {
					return true
				}
			}
		}
	}
	return false
}
