package kube

import (
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// hardened is goodDeployment with every rule of kube.policy met.
var hardened = strings.Replace(goodDeployment, "          ports:\n", `          securityContext: {runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false}
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 256Mi}
          livenessProbe: {httpGet: {path: /healthz, port: http}}
          readinessProbe: {httpGet: {path: /ready, port: 8080}}
          ports:
`, 1)

const goodService = `apiVersion: v1
kind: Service
metadata: {name: shop}
spec:
  selector: {app: shop}
  ports:
    - {port: 80, targetPort: http}
`

var allRules = PolicyParams{
	Resources: true, Probes: &ProbeRule{Liveness: "/healthz", Readiness: "/ready"}, NonRoot: true,
	PinnedImages: true, Images: []string{"registry.example.com/shop/app:1.4.2"}, Ports: []int{8080},
	MinReplicas: 2, Services: &ServiceRule{Port: 80},
}

func TestPolicyPassesAHardenedDeployment(t *testing.T) {
	dir := workspace(t, map[string]string{"k8s/d.yaml": hardened, "k8s/s.yaml": goodService})
	mustHave(t, runPolicy(t, dir, allRules), runner.Pass)
	mustHave(t, runSchema(t, dir, SchemaParams{Require: []string{"Deployment", "Service"}}), runner.Pass, "2 object(s)")
}

func TestPolicyFindings(t *testing.T) {
	svc := func(old, new string) map[string]string {
		return map[string]string{"k8s/d.yaml": hardened, "k8s/s.yaml": strings.Replace(goodService, old, new, 1)}
	}
	dep := func(old, new string) map[string]string {
		if !strings.Contains(hardened, old) {
			t.Fatalf("%q is not in the manifest", old)
		}
		return map[string]string{"k8s/d.yaml": strings.Replace(hardened, old, new, 1), "k8s/s.yaml": goodService}
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"selector mismatch", svc("{app: shop}", "{app: web}"), []string{"k8s/s.yaml:5: Service shop: spec.selector app=web matches no pod", "Deployment shop's pods have app=shop"}},
		{"selector needs every label", svc("{app: shop}", "{app: shop, tier: web}"), []string{"spec.selector app=shop,tier=web matches no pod"}},
		{"targetPort by number", svc("targetPort: http", "targetPort: 80"), []string{"k8s/s.yaml:7:", "targetPort 80 is no port of the pods", "declares 8080 (http)"}},
		{"targetPort by a name no port has", svc("targetPort: http", "targetPort: web"), []string{"targetPort web is no port"}},
		{"no targetPort means the port", svc(", targetPort: http", ""), []string{"port 80 (with no targetPort, also the pods' port) is no port"}},
		{"service port", svc("port: 80,", "port: 8000,"), []string{"no Service exposes port 80"}},
		{"no service", map[string]string{"k8s/d.yaml": hardened}, []string{"there is no Service"}},
		{"service in another namespace", svc("metadata: {name: shop}", "metadata: {name: shop, namespace: prod}"), []string{"matches no pod"}},
		{"latest", dep("app:1.4.2", "app:latest"), []string{"k8s/d.yaml:17:", "uses the latest tag", "the exercise deploys registry.example.com/shop/app:1.4.2"}},
		{"no tag", dep("app:1.4.2", "app"), []string{"has no tag, which means :latest"}},
		{"no replicas", dep("  replicas: 2\n", ""), []string{"spec.replicas is not set, so Kubernetes runs 1 pod"}},
		{"one replica", dep("replicas: 2", "replicas: 1"), []string{"k8s/d.yaml:6:", "spec.replicas is 1: run at least 2"}},
		{"port not declared", dep("containerPort: 8080", "containerPort: 9090"), []string{"but the app listens on 8080", "readinessProbe.httpGet.port is 8080, but the container declares 9090 (http)"}},
		{"limits without requests", dep("            requests: {cpu: 100m, memory: 128Mi}\n", ""), []string{"resources requests.cpu, requests.memory not set", "Kubernetes copies the limits into the requests"}},
		{"no resources", dep("          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n            limits: {cpu: 500m, memory: 256Mi}\n", ""), []string{"the scheduler places a pod by its requests"}},
		{"memory limit missing", dep("limits: {cpu: 500m, memory: 256Mi}", "limits: {cpu: 500m}"), []string{"resources limits.memory not set"}},
		{"no readiness", dep("          readinessProbe: {httpGet: {path: /ready, port: 8080}}\n", ""), []string{"container app: no readinessProbe", "path: /ready"}},
		{"probe on the wrong port", dep("port: http}}", "port: 8081}}"), []string{"livenessProbe.httpGet.port is 8081, but the container declares 8080 (http)"}},
		{"probe on the wrong path", dep("/healthz", "/health"), []string{`livenessProbe has httpGet.path "/health": the app answers it on GET /healthz`}},
		{"exec probe has no path", dep("livenessProbe: {httpGet: {path: /healthz, port: http}}", "livenessProbe: {exec: {command: [true]}}"), []string{"livenessProbe has no httpGet"}},
		{"runAsNonRoot missing", dep("runAsNonRoot: true, runAsUser: 10001, ", ""), []string{"nothing stops it running as root"}},
		{"root user", dep("runAsUser: 10001", "runAsUser: 0"), []string{"runAsUser is 0, which is root"}},
		{"privilege escalation", dep(", allowPrivilegeEscalation: false", ""), []string{"allowPrivilegeEscalation is not false"}},
		{"privilege escalation as a string", dep("allowPrivilegeEscalation: false", `allowPrivilegeEscalation: "false"`), []string{"allowPrivilegeEscalation is not false"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustHave(t, runPolicy(t, workspace(t, tc.files), allRules), runner.Fail, tc.want...)
		})
	}
}

func TestPolicyPodSecurityContextCounts(t *testing.T) {
	y := strings.Replace(hardened, "runAsNonRoot: true, runAsUser: 10001, ", "", 1)
	y = strings.Replace(y, "    spec:\n      containers:", "    spec:\n      securityContext: {runAsNonRoot: true}\n      containers:", 1)
	dir := workspace(t, map[string]string{"k8s/d.yaml": y, "k8s/s.yaml": goodService})
	mustHave(t, runPolicy(t, dir, PolicyParams{NonRoot: true}), runner.Pass)
	// A container's runAsUser: 0 overrides the pod's runAsNonRoot.
	y = strings.Replace(y, "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: false, runAsUser: 0", 1)
	mustHave(t, runPolicy(t, workspace(t, map[string]string{"k8s/d.yaml": y}), PolicyParams{NonRoot: true}), runner.Fail, "runAsUser is 0")
}

func TestPolicyWithoutWorkload(t *testing.T) {
	dir := workspace(t, map[string]string{"k8s/s.yaml": goodService})
	mustHave(t, runPolicy(t, dir, PolicyParams{Resources: true}), runner.Fail, "hold no workload")
}

func TestPolicyParams(t *testing.T) {
	for _, p := range []PolicyParams{
		{Files: []string{"k8s/*.yaml"}},
		{Files: []string{"/etc/*.yaml"}, Resources: true},
		{Files: []string{"../k8s/*.yaml"}, Resources: true},
		{Files: []string{"k8s/[.yaml"}, Resources: true},
		{Resources: true},
	} {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
}

func TestImageTag(t *testing.T) {
	for ref, want := range map[string]string{
		"nginx":                        "",
		"nginx:1.27":                   "1.27",
		"localhost:5000/app":           "",
		"localhost:5000/app:2":         "2",
		"app@sha256:abc":               "@sha256:abc",
		"registry.example.com/a/b:1.0": "1.0",
	} {
		if got := imageTag(ref); got != want {
			t.Errorf("imageTag(%q) = %q, want %q", ref, got, want)
		}
	}
}
