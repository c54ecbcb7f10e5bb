// Package kube holds the check kinds of the DevOps track's Kubernetes
// exercises: the learner writes manifests (multi-document YAML), and the
// checks read them without a cluster.
//
// kube.schema validates every object against the Kubernetes API's own
// schemas, the OpenAPI v3 documents that the kubernetes repository
// publishes (api/openapi-spec/v3), trimmed and embedded in openapi/. They
// are decompressed and compiled (with santhosh-tekuri/jsonschema) on first
// use only, one kind at a time, so a grader run that grades no manifest pays
// nothing for them. The schemas are made strict as the API server's strict
// field validation is (kubectl's default since 1.27): an object with
// declared properties accepts no other field, so `contianers:` is an error,
// not silently dropped. The rules the API server adds that its schemas do
// not say (names, quantities, ports, enumerated values, a workload's
// selector) are in server.go. Each problem names the file, the line and
// the field path (spec.template.spec.containers[0].image).
//
// kube.policy checks what the schemas allow but a good manifest avoids, as
// an exercise picks: resource requests and limits, liveness and readiness
// probes on a port the container declares, a non-root security context,
// pinned image tags, a minimum of replicas, and a Service whose selector and
// targetPort reach the pods it is for.
//
// Manifests are untrusted input: they are read only through
// [runner.Attempt.ReadFile], at most maxFiles files of maxFileBytes each,
// and YAML aliases are expanded under a budget of nodes.
package kube
