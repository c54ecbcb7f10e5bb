package kube

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
)

// workspace writes files (slash path → content) into a new folder.
func workspace(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func runSchema(t *testing.T, dir string, prm SchemaParams) runner.Outcome {
	t.Helper()
	if prm.Files == nil {
		prm.Files = []string{"k8s/*.yaml"}
	}
	if err := prm.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := compileSchema(runner.Params{}, &prm)
	if err != nil {
		t.Fatal(err)
	}
	return c.Check(t.Context(), runner.Attempt{Dir: dir})
}

func runPolicy(t *testing.T, dir string, prm PolicyParams) runner.Outcome {
	t.Helper()
	if prm.Files == nil {
		prm.Files = []string{"k8s/*.yaml"}
	}
	if err := prm.Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := compilePolicy(runner.Params{}, &prm)
	if err != nil {
		t.Fatal(err)
	}
	return c.Check(t.Context(), runner.Attempt{Dir: dir})
}

// mustHave fails unless the outcome has status want and its message holds
// every part.
func mustHave(t *testing.T, o runner.Outcome, want runner.Status, parts ...string) {
	t.Helper()
	if o.Status != want {
		t.Fatalf("status %s, want %s: %s", o.Status, want, o.Message)
	}
	for _, p := range parts {
		if !strings.Contains(o.Message, p) {
			t.Errorf("message lacks %q:\n%s", p, o.Message)
		}
	}
}

const goodDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
spec:
  replicas: 2
  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/app:1.4.2
          ports:
            - name: http
              containerPort: 8080
`

func TestSchemaAcceptsAValidDeployment(t *testing.T) {
	dir := workspace(t, map[string]string{"k8s/d.yaml": goodDeployment + "---\n"})
	mustHave(t, runSchema(t, dir, SchemaParams{Require: []string{"Deployment"}}), runner.Pass, "1 object(s) valid")
}

func TestSchemaFindings(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string
	}{
		{"misspelt field with a suggestion", strings.Replace(goodDeployment, "containers:", "contianers:", 1),
			[]string{"k8s/d.yaml:15: Deployment shop: unknown field spec.template.spec.contianers: did you mean containers?", "missing required field spec.template.spec.containers"}},
		{"wrong type", strings.Replace(goodDeployment, "replicas: 2", `replicas: "2"`, 1),
			[]string{"k8s/d.yaml:6:", "spec.replicas must be an integer, not a string"}},
		{"int-or-string", goodDeployment + "          livenessProbe:\n            httpGet: {port: [8080]}\n",
			[]string{"k8s/d.yaml:22:", "livenessProbe.httpGet.port must be an integer or a string"}},
		{"missing required field in a list item", strings.Replace(goodDeployment, "        - name: app\n", "        - \n", 1),
			[]string{"missing required field spec.template.spec.containers[0].name"}},
		{"field of a container misspelt", strings.Replace(goodDeployment, "          image:", "          imgae:", 1),
			[]string{"k8s/d.yaml:17:", "unknown field spec.template.spec.containers[0].imgae: did you mean image?"}},
		{"kind in another apiVersion", strings.Replace(goodDeployment, "apps/v1", "v1", 1),
			[]string{"k8s/d.yaml:2:", "there is no Deployment in apiVersion v1: Deployment is in apps/v1"}},
		{"misspelt kind", strings.Replace(goodDeployment, "kind: Deployment", "kind: Deploymnet", 1),
			[]string{"unknown kind Deploymnet: did you mean Deployment"}},
		{"unknown kind", strings.Replace(goodDeployment, "kind: Deployment", "kind: Frobnicator", 1),
			[]string{"kind Frobnicator of apiVersion apps/v1 is not one grader knows"}},
		{"no apiVersion", strings.Replace(goodDeployment, "apiVersion: apps/v1\n", "", 1),
			[]string{"apiVersion is missing", "apps/v1"}},
		{"selector not matching the template", strings.Replace(goodDeployment, "      app: shop\n  template", "      app: web\n  template", 1),
			[]string{"k8s/d.yaml:9:", "spec.selector.matchLabels app=web does not match the pod template's labels (app=shop)"}},
		{"no name", strings.Replace(goodDeployment, "  name: shop\n", "  labels: {}\n", 1),
			[]string{"metadata.name is missing"}},
		{"duplicate key", strings.Replace(goodDeployment, "  replicas: 2\n", "  replicas: 2\n  replicas: 3\n", 1),
			[]string{"line 7: replicas is given twice"}},
		{"mapping for a list", strings.Replace(goodDeployment, "        - name: app\n          image", "          name: app\n          image", 1),
			[]string{"k8s/d.yaml:15:", "spec.template.spec.containers must be a list (- item), not a mapping (key: value)"}},
		{"not a mapping", "- just\n- a list\n", []string{"k8s/d.yaml:1: object: this document is not a mapping"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := workspace(t, map[string]string{"k8s/d.yaml": tc.yaml})
			mustHave(t, runSchema(t, dir, SchemaParams{}), runner.Fail, tc.want...)
		})
	}
}

func TestSchemaNullsAndTimestampsAreWhatKubectlWrites(t *testing.T) {
	// kubectl create --dry-run -o yaml writes creationTimestamp: null and
	// status: {}; a date-like label value is a string.
	y := strings.Replace(goodDeployment, "  name: shop\n", "  name: shop\n  creationTimestamp: null\n  annotations: {released: 2026-01-02}\n", 1) + "status: {}\n"
	dir := workspace(t, map[string]string{"k8s/d.yaml": y})
	mustHave(t, runSchema(t, dir, SchemaParams{}), runner.Pass)
}

func TestHostileManifests(t *testing.T) {
	bomb := "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 8; i++ {
		name := string(rune('b' + i))
		bomb += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 9) + "*" + prev + "]\n"
		prev = name
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		link  bool
		want  string
	}{
		{"alias bomb", map[string]string{"k8s/bomb.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n" + bomb}, false, "expands to more than"},
		{"not YAML", map[string]string{"k8s/d.yaml": "apiVersion: v1\n  kind: : :\n"}, false, "k8s/d.yaml is not valid YAML: line 2"},
		{"no file", map[string]string{"k8s/README.md": "x"}, false, "no manifest matches k8s/*.yaml"},
		{"empty documents", map[string]string{"k8s/d.yaml": "---\n---\n"}, false, "hold no Kubernetes object"},
		{"symbolic link", map[string]string{}, true, "symbolic link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := workspace(t, tc.files)
			if tc.link {
				if err := os.MkdirAll(filepath.Join(dir, "k8s"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink("/etc/passwd", filepath.Join(dir, "k8s", "d.yaml")); err != nil {
					t.Fatal(err)
				}
			}
			mustHave(t, runSchema(t, dir, SchemaParams{}), runner.Fail, tc.want)
			mustHave(t, runPolicy(t, dir, PolicyParams{PinnedImages: true}), runner.Fail, tc.want)
		})
	}
}

func TestGlobsSkipFoldersAndGraderFiles(t *testing.T) {
	dir := workspace(t, map[string]string{
		"k8s/d.yaml":          goodDeployment,
		"k8s/old/x.yaml":      "not: [valid",
		".grader/state.yaml":  "kind: Secret",
		"other/ignored.yaml":  "kind: Nonsense",
		"k8s/notes/README.md": "# notes",
	})
	mustHave(t, runSchema(t, dir, SchemaParams{Files: []string{"k8s/*", "*/state.yaml", ".grader/*"}}), runner.Pass, "1 object(s) valid")
}

func TestSchemaServerFormats(t *testing.T) {
	for _, tc := range []struct{ old, new, want string }{
		{"  name: shop\n", "  name: Shop_App\n", `metadata.name "Shop_App" is not a valid name`},
		{"- name: app", "- name: App", `container App: name "App" is not a valid container name`},
		{"containerPort: 8080", "containerPort: 80800", "containerPort 80800 is not a port number"},
		{"              containerPort: 8080\n", "              containerPort: 8080\n          resources: {limits: {memory: 128MB, cpu: 500m}}\n", `resources.limits.memory "128MB" is not a quantity`},
	} {
		t.Run(tc.want, func(t *testing.T) {
			dir := workspace(t, map[string]string{"k8s/d.yaml": strings.Replace(goodDeployment, tc.old, tc.new, 1)})
			mustHave(t, runSchema(t, dir, SchemaParams{}), runner.Fail, tc.want)
		})
	}
	svc := "apiVersion: v1\nkind: Service\nmetadata: {name: 1shop}\nspec:\n  ports: [{port: 80}]\n"
	mustHave(t, runSchema(t, workspace(t, map[string]string{"k8s/s.yaml": svc}), SchemaParams{}), runner.Fail, `"1shop" is not a valid Service name`)
	// Quantities the API accepts pass.
	ok := strings.Replace(goodDeployment, "              containerPort: 8080\n", "              containerPort: 8080\n          resources: {requests: {cpu: 0.5, memory: 1e9}, limits: {cpu: \"2\", memory: 1.5Gi}}\n", 1)
	mustHave(t, runSchema(t, workspace(t, map[string]string{"k8s/d.yaml": ok}), SchemaParams{}), runner.Pass)
}

func TestSchemaMissingSelectorIsNamedOnce(t *testing.T) {
	y := strings.Replace(goodDeployment, "  selector:\n    matchLabels:\n      app: shop\n", "", 1)
	o := runSchema(t, workspace(t, map[string]string{"k8s/d.yaml": y}), SchemaParams{})
	mustHave(t, o, runner.Fail, "k8s/d.yaml:5: Deployment shop: missing required field spec.selector", "(1):")
}

func TestHostileVolume(t *testing.T) {
	// Just under the size limit: empty documents only, then thousands of
	// objects each with a misspelt field, then nesting past the limit.
	dir := workspace(t, map[string]string{"k8s/d.yaml": strings.Repeat("---\n", (maxFileBytes-1)/4)})
	mustHave(t, runSchema(t, dir, SchemaParams{}), runner.Fail, "hold no Kubernetes object")

	var b strings.Builder
	for i := range 5000 {
		b.WriteString("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c" + strings.Repeat("x", i%7) + "}\ndatta: {}\n")
	}
	dir = workspace(t, map[string]string{"k8s/d.yaml": b.String()})
	mustHave(t, runSchema(t, dir, SchemaParams{}), runner.Fail, "(5000):", "unknown field datta: did you mean data?", "... and 4988 more")

	deep := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n"
	dir = workspace(t, map[string]string{"k8s/d.yaml": deep})
	mustHave(t, runSchema(t, dir, SchemaParams{}), runner.Fail, "nests more than 100 levels")

	big := workspace(t, map[string]string{"k8s/d.yaml": strings.Repeat("#", maxFileBytes+1)})
	mustHave(t, runSchema(t, big, SchemaParams{}), runner.Fail, "k8s/d.yaml is larger than 1 MiB")
}

// A pod with no container passes the schemas (a Pod's spec is optional,
// the list may be empty) but not the API server, which refuses it.
func TestSchemaPodWithNoContainer(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"
	for _, tc := range []struct{ name, yaml, want string }{
		{"no spec", pod, "k8s/p.yaml:1: Pod web: spec.containers is missing"},
		{"empty list", pod + "spec:\n  containers: []\n", "Pod web: spec.containers is missing"},
		{"template without spec", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\nspec:\n  selector: {matchLabels: {app: shop}}\n  template:\n    metadata: {labels: {app: shop}}\n",
			"Deployment shop: spec.template.spec.containers is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := runSchema(t, workspace(t, map[string]string{"k8s/p.yaml": tc.yaml}), SchemaParams{})
			mustHave(t, o, runner.Fail, tc.want)
		})
	}
	ok := pod + "spec:\n  containers: [{name: web, image: registry.example.com/shop/web:2.0.1}]\n"
	mustHave(t, runSchema(t, workspace(t, map[string]string{"k8s/p.yaml": ok}), SchemaParams{}), runner.Pass)
}
