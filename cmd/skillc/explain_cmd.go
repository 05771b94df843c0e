package main

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/diag"
	"github.com/skillc-dev/skillc/explain"
)

type explainOptions struct {
	compileOptions
	format string
}

func newExplainCommand() *cobra.Command {
	o := &explainOptions{}
	cmd := &cobra.Command{
		Use:   "explain (run NS/NAME | schedule NS/NAME | KIND/NS/NAME) [PATH...]",
		Short: "Explain a run's pod from the sources: packs, objects and their causes, identity, mounts, findings",
		Long: `Answer the troubleshooting questions of a run (or schedule) statically, from the sources in PATH
(default .): the instance and run with file:line; each pack, where it resolved from (private or
catalog, and what it shadows), its ConfigMap keys and mount paths; every object emitted for the run
with the source field that caused it; for each container the ServiceAccount and UID it runs as and
its mounts; the gate's findings and the exceptions applied; the token budget; and why something is
absent (a pack without sidecar.image gets no sidecar).

KIND/NS/NAME names an emitted object (Role/team/sympozium-skill-x-run-1, or ClusterRole//NAME for a
cluster-scoped one); the run or schedule it is emitted for is explained.

Exit codes: 0 explained, 2 bad input or nothing of that name.`,
		Example: `  skillc explain run sre/checkout-latency-1 skills/ tenants/
  skillc explain Role/sre/sympozium-skill-cluster-triage-checkout-latency-1 --format json .`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return o.withNotes(runExplain(cmd, o, args))
		},
	}
	o.addFlags(cmd)
	addFormatFlag(cmd, &o.format, explain.Formats)
	return cmd
}

func runExplain(cmd *cobra.Command, o *explainOptions, args []string) error {
	if !slices.Contains(explain.Formats, o.format) {
		return fmt.Errorf("--format: must be one of %v, got %q", explain.Formats, o.format)
	}
	var kind, ns, name string
	var paths []string
	switch args[0] {
	case "run", "schedule":
		if len(args) < 2 {
			return fmt.Errorf("explain %s takes NS/NAME", args[0])
		}
		var ok bool
		ns, name, ok = strings.Cut(args[1], "/")
		if !ok || ns == "" || name == "" {
			return fmt.Errorf("explain %s: want NS/NAME, got %q", args[0], args[1])
		}
		kind, paths = map[string]string{"run": "AgentRun", "schedule": "SympoziumSchedule"}[args[0]], args[2:]
	default:
		parts := strings.Split(args[0], "/")
		switch len(parts) {
		case 2:
			kind, name = parts[0], parts[1]
		case 3:
			kind, ns, name = parts[0], parts[1], parts[2]
		default:
			return fmt.Errorf("explain: want run NS/NAME, schedule NS/NAME or KIND/NS/NAME, got %q", args[0])
		}
		paths = args[1:]
	}
	if len(paths) == 0 {
		paths = []string{"."}
	}
	c, diags, err := readAndCompile(cmd, &o.compileOptions, paths)
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return failed(diags.Filter(diag.SeverityError))
	}
	res := c.res
	in := res.Inputs // as the compile decoded them
	pod, asked, d := findPod(res, kind, ns, name)
	if d != nil {
		return failed(diag.Diagnostics{*d})
	}
	// The gate is asked about this pod's objects alone: its findings are the pod's.
	sub := *res
	sub.Objects = explain.PodObjects(res, pod)
	sub.Pods = []compile.Pod{*pod}
	rep, err := gate(cmd, o.policyDirs, &sub)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	e := explain.Explain(res, in, pod, rep)
	e.Asked = asked
	if err := explain.Write(&buf, o.format, e); err != nil {
		return internalError(err)
	}
	_, _ = cmd.OutOrStdout().Write(buf.Bytes()) // a failure is kept and reported by run
	return nil
}

// findPod finds the run or schedule to explain: by its kind and name, or as the one an emitted
// object is built for (the builders' origin records say which).
func findPod(res *compile.Result, kind, ns, name string) (*compile.Pod, string, *diag.Diagnostic) {
	var known []string
	if kind == "AgentRun" || kind == "SympoziumSchedule" {
		for i := range res.Pods {
			p := &res.Pods[i]
			if p.Kind == kind && p.Namespace == ns && p.Name == name {
				return p, "", nil
			}
			if p.Kind == kind {
				known = append(known, p.Namespace+"/"+p.Name)
			}
		}
		return nil, "", &diag.Diagnostic{Severity: diag.SeverityError, Message: fmt.Sprintf("no %s %s/%s among the inputs%s", kind, ns, name, nearest(ns+"/"+name, known))}
	}
	for i := range res.Pods {
		p := &res.Pods[i]
		for key := range res.ObjectOrigins(p) {
			k, rest, _ := strings.Cut(key, "/")
			if strings.EqualFold(k, kind) && rest == ns+"/"+name {
				return p, key, nil
			}
		}
	}
	for _, o := range res.Objects {
		known = append(known, compile.ObjectKey(o))
	}
	return nil, "", &diag.Diagnostic{Severity: diag.SeverityError, Message: fmt.Sprintf("no object %s/%s/%s is emitted for a run or schedule of the inputs%s", kind, ns, name, nearest(kind+"/"+ns+"/"+name, known))}
}
