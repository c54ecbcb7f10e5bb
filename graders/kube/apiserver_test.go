package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// Each case is a mistake that a real API server refused, in a server-side
// apply with dryRun=All and fieldValidation=Strict (kube-apiserver v1.35.4
// built from the Go module proxy, on Debian's etcd 3.4.23, 2026-12-04; see
// the README's Kubernetes section). kube.schema must refuse each too, and
// accept the two manifests the server accepted.
func TestSchemaAgreesWithTheAPIServer(t *testing.T) {
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", "exercises", "catalog", "devops", p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	dep := read("k8s-probes/solution/k8s/deployment.yaml")
	svc := read("k8s-deploy/solution/k8s/service.yaml")
	for _, tc := range []struct {
		name, base, old, new string
		want                 string // "" : the server accepted it
	}{
		{"deployment", dep, "", "", ""},
		{"service", svc, "", "", ""},
		{"misspelt field", dep, "      containers:", "      contianers:", "unknown field spec.template.spec.contianers"},
		{"unknown top-level field", dep, "\nspec:", "\nspex:", "unknown field spex: did you mean spec?"},
		{"replicas as a string", dep, "replicas: 2", `replicas: "2"`, "spec.replicas must be an integer"},
		{"selector missing the template", dep, "\n      app: shop\n  template", "\n      app: other\n  template", "does not match the pod template's labels"},
		{"no name", dep, "\n  name: shop\n", "\n", "metadata.name is missing"},
		{"name with capitals", dep, "\n  name: shop\n", "\n  name: Shop_App\n", `"Shop_App" is not a valid name`},
		{"memory in MB", dep, "memory: 256Mi", "memory: 256MB", `"256MB" is not a quantity`},
		{"port out of range", dep, "containerPort: 8080", "containerPort: 80800", "80800 is not a port number"},
		{"container name with a capital", dep, "- name: app", "- name: App", `"App" is not a valid container name`},
		{"probe port as a list", dep, "port: http", "port: [1]", "must be an integer or a string"},
		{"runAsNonRoot as a string", dep, "runAsNonRoot: true", `runAsNonRoot: "yes"`, "runAsNonRoot must be true or false"},
		{"label value as a number", dep, "labels:\n    app: shop", "labels:\n    app: 1", "metadata.labels.app must be a string"},
		{"no image", dep, "          image: registry.example.com/shop/app:1.4.2\n", "", "image is missing"},
		{"Deployment in v1", dep, "apps/v1", "v1", "Deployment is in apps/v1"},
		{"imagePullPolicy misspelt", dep, "          ports:", "          imagePullPolicy: IfNotPresnt\n          ports:", `imagePullPolicy "IfNotPresnt" is not one of Always, IfNotPresent, Never: did you mean IfNotPresent?`},
		{"request over the limit", dep, "cpu: 100m", `cpu: "4"`, "resources.requests.cpu (4) is more than resources.limits.cpu (500m)"},
		{"service port 0", svc, "port: 80", "port: 0", "spec.ports[0].port 0 is not a port number"},
		{"targetPort as a list", svc, "targetPort: 8080", "targetPort: [8080]", "targetPort must be an integer or a string"},
		{"service name starting with a digit", svc, "name: shop\nspec", "name: 1shop\nspec", `"1shop" is not a valid Service name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := tc.base
			if tc.old != "" {
				if !strings.Contains(y, tc.old) {
					t.Fatalf("%q is not in the manifest", tc.old)
				}
				y = strings.Replace(y, tc.old, tc.new, 1)
			}
			o := runSchema(t, workspace(t, map[string]string{"k8s/x.yaml": y}), SchemaParams{})
			if tc.want == "" {
				mustHave(t, o, runner.Pass)
				return
			}
			mustHave(t, o, runner.Fail, tc.want)
		})
	}
}
