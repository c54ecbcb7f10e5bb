package kube

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/backendroadmap/grader/runner"
)

// Kinds returns the Kubernetes kinds of check. Both read the learner's
// manifests only: neither needs Docker or a cluster.
func Kinds() runner.Kinds {
	return runner.Kinds{
		"kube.schema": runner.ParamsKind[SchemaParams](compileSchema),
		"kube.policy": runner.ParamsKind[PolicyParams](compilePolicy),
	}
}

// SchemaParams are the parameters of kube.schema.
type SchemaParams struct {
	// Files are glob patterns (path.Match syntax, relative to the
	// workspace) of the manifests: ["k8s/*.yaml"].
	Files []string `yaml:"files"`
	// Require lists kinds the manifests must hold at least one object of
	// (Deployment, Service).
	Require []string `yaml:"require"`
}

// Validate checks the patterns.
func (p *SchemaParams) Validate() error { return validGlobs(p.Files) }

// PolicyParams are the parameters of kube.policy: the rules an exercise
// picks. Every rule applies to every workload in the files (Deployment,
// StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod).
type PolicyParams struct {
	// Files are the manifests' glob patterns, as for kube.schema.
	Files []string `yaml:"files"`
	// Resources asks each container for cpu and memory requests and limits.
	Resources bool `yaml:"resources"`
	// Probes asks each container of a long-running workload for liveness
	// and readiness probes on a port it declares.
	Probes *ProbeRule `yaml:"probes"`
	// NonRoot asks each container to run as non-root (runAsNonRoot: true,
	// or a runAsUser other than 0) with allowPrivilegeEscalation: false.
	NonRoot bool `yaml:"non_root"`
	// PinnedImages refuses images without a tag or tagged latest.
	PinnedImages bool `yaml:"pinned_images"`
	// Images, when set, are the images the containers may run.
	Images []string `yaml:"images"`
	// Ports are ports the app listens on: each workload must declare each
	// as a containerPort of one of its containers.
	Ports []int `yaml:"ports"`
	// MinReplicas is the least spec.replicas of each Deployment,
	// StatefulSet and ReplicaSet (0: no rule).
	MinReplicas int `yaml:"min_replicas"`
	// Services asks for a Service whose selector matches a workload's pod
	// labels and whose targetPorts are ports those pods declare.
	Services *ServiceRule `yaml:"services"`
}

// Validate checks the patterns and that some rule is picked.
func (p *PolicyParams) Validate() error {
	if err := validGlobs(p.Files); err != nil {
		return err
	}
	if !p.Resources && p.Probes == nil && !p.NonRoot && !p.PinnedImages && len(p.Images) == 0 && len(p.Ports) == 0 && p.MinReplicas == 0 && p.Services == nil {
		return runner.ParamErrorf("with", "no rule picked: set at least one of resources, probes, non_root, pinned_images, images, ports, min_replicas, services")
	}
	if p.MinReplicas < 0 {
		return runner.ParamErrorf("min_replicas", "must be at least 1, not %d", p.MinReplicas)
	}
	return nil
}

func validGlobs(globs []string) error {
	if len(globs) == 0 {
		return runner.ParamErrorf("files", "list the manifests' glob patterns, like [k8s/*.yaml]")
	}
	for _, g := range globs {
		if _, err := path.Match(g, ""); err != nil || !fs.ValidPath(g) {
			return runner.ParamErrorf("files", "%q is not a glob pattern relative to the workspace (path.Match syntax, no leading /, no ..)", g)
		}
	}
	return nil
}

// maxFindings is how many problems one message lists.
const maxFindings = 12

// report is a check's outcome from its findings.
func report(head string, found []finding, passed string) runner.Outcome {
	if len(found) == 0 {
		return runner.Passed(passed)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%d):", head, len(found))
	for i, f := range found {
		if i == maxFindings {
			fmt.Fprintf(&b, "\n  ... and %d more", len(found)-i)
			break
		}
		b.WriteString("\n  " + f.String())
	}
	return runner.Failed("%s", b.String())
}

func compileSchema(_ runner.Params, prm *SchemaParams) (runner.Checker, error) {
	return runner.CheckerFunc(func(_ context.Context, a runner.Attempt) runner.Outcome {
		m, err := load(a, prm.Files)
		if err != nil {
			return runner.Errored(err)
		}
		if m.failure != "" {
			return runner.Failed("%s", m.failure)
		}
		var all []finding
		for _, o := range m.objects {
			found, err := validate(o)
			if err != nil {
				return runner.Errored(err)
			}
			all = append(all, found...)
		}
		for _, k := range prm.Require {
			if !slices.ContainsFunc(m.objects, func(o *object) bool { return o.kind() == k }) {
				all = append(all, finding{msg: fmt.Sprintf("there is no %s in %s: the exercise asks for one", k, strings.Join(prm.Files, ", "))})
			}
		}
		return report("the Kubernetes API would refuse these manifests", all,
			fmt.Sprintf("%d object(s) valid against the Kubernetes %s API schemas", len(m.objects), KubernetesVersion))
	}), nil
}

func compilePolicy(_ runner.Params, prm *PolicyParams) (runner.Checker, error) {
	return runner.CheckerFunc(func(_ context.Context, a runner.Attempt) runner.Outcome {
		m, err := load(a, prm.Files)
		if err != nil {
			return runner.Errored(err)
		}
		if m.failure != "" {
			return runner.Failed("%s", m.failure)
		}
		// A document that is not an object cannot be judged: it fails.
		var objs []*object
		var all []finding
		for _, o := range m.objects {
			if o.problem != "" {
				all = append(all, finding{obj: o, msg: o.problem})
				continue
			}
			objs = append(objs, o)
		}
		if prm.Resources {
			all = append(all, checkResources(objs)...)
		}
		if prm.Probes != nil {
			all = append(all, checkProbes(objs, *prm.Probes)...)
		}
		if prm.NonRoot {
			all = append(all, checkNonRoot(objs)...)
		}
		if prm.PinnedImages || len(prm.Images) > 0 {
			all = append(all, checkImages(objs, prm.PinnedImages, prm.Images)...)
		}
		if len(prm.Ports) > 0 {
			all = append(all, checkPorts(objs, prm.Ports)...)
		}
		if prm.MinReplicas > 0 {
			all = append(all, checkReplicas(objs, prm.MinReplicas)...)
		}
		if prm.Services != nil {
			all = append(all, checkServices(objs, *prm.Services)...)
		}
		workloads := 0
		for _, o := range objs {
			if podSpecPath(o.kind()) != nil {
				workloads++
			}
		}
		if workloads == 0 && len(all) == 0 && (prm.Resources || prm.Probes != nil || prm.NonRoot || prm.PinnedImages || len(prm.Images) > 0 || len(prm.Ports) > 0 || prm.MinReplicas > 0) {
			return runner.Failed("%s hold no workload (Deployment, StatefulSet, DaemonSet, Job, CronJob or Pod): the rules apply to the pods one runs", strings.Join(prm.Files, ", "))
		}
		slices.SortStableFunc(all, func(a, b finding) int {
			if a.obj == nil || b.obj == nil {
				return a.line() - b.line()
			}
			if c := strings.Compare(a.obj.file, b.obj.file); c != 0 {
				return c
			}
			return a.line() - b.line()
		})
		return report("the manifests break the exercise's rules", all, "")
	}), nil
}
