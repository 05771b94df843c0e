package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/krm"
	"github.com/skillc-dev/skillc/source"
)

// buildFailed ends every failure of build: Argo CD applies what a plugin prints, and with
// auto-prune an empty render would delete the live objects.
const buildFailed = "skillc build: failed: nothing was written to stdout (an empty render with auto-prune would delete the live objects)"

func newBuildCommand() *cobra.Command {
	o := &compileOptions{}
	cmd := &cobra.Command{
		Use:   "build DIR",
		Short: "kustomize build DIR, then compile and gate the result (Argo CD plugin)",
		Long: `Run kustomize build on DIR in-process (plugins and exec functions disabled), compile the source
kinds in its output (SkillPack, SympoziumInstance, Agent, AgentRun, SympoziumSchedule; a
CompilerConfig among them is the config and is not emitted) and gate the result, exactly as
skillc fn does inside kustomize: sources are replaced by the compiled objects, every other object
passes through. Prints one YAML stream: the other objects as kustomize prints them, then the
compiled objects as skillc compile prints them.

Everything printed passed the gate. The RBAC objects (Role, ClusterRole, RoleBinding,
ClusterRoleBinding) and workloads (Pod, Job, CronJob, Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, PodTemplate) that pass through are judged by the library's
RBAC, POD, IMG and SEC rules and the --policy rules, without allow-lists or exceptions (they
belong to no SkillPack): a binding may refer only to a Role or ClusterRole printed beside it
(never cluster-admin, admin, edit, view or a system: role) and may not bind a system: group or
user or a kube-system ServiceAccount. An object with the API group, kind, namespace and name of a
compiled object is bad input.

It is the generate command of an Argo CD Config Management Plugin. On any error (kustomize, bad
input, a policy denial, a warning with --fail-on-warn) nothing is written to stdout and the exit code is not 0, so Argo CD keeps
the live objects instead of pruning them. Every YAML file kustomize reads is first read by
skillc's own reader, under compile's limits (size, elements, nesting, aliases, tags): a refusal
names the file and line. Messages about the compiled objects name the kustomization's files
without lines (kustomize hands over objects, not files); messages about an object passed through
name its file and the line its document starts on.`,
		Example: `  # What Argo CD runs in the application's folder
  skillc build .

  # Locally, with the platform's settings and extra policies
  skillc build --config platform.yaml --policy policies/ overlays/prod`,
		Args: cobra.ArbitraryArgs, // checked in runBuild, so that the failure line is printed too
		RunE: func(cmd *cobra.Command, args []string) error {
			err := runBuild(cmd, o, args)
			if failedCode(err) != exitOK && !outputFailed(cmd) { // else part of the render was written: run says so
				return asOutcome(err).notef("%s", buildFailed)
			}
			return err
		},
	}
	o.addSourceFlags(cmd) // no walk flags: kustomize reads what the kustomization lists
	o.addGateFlags(cmd)
	addFailOnWarn(cmd, &o.failOnWarn)
	cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveFilterDirs
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return fmt.Errorf("%w\n%s", err, buildFailed)
	})
	return cmd
}

func runBuild(cmd *cobra.Command, o *compileOptions, args []string) error {
	if len(args) != 1 {
		return refused("skillc build: want exactly one DIR (a kustomization), got %d arguments", len(args))
	}
	opts := o.options()
	if o.configFile != "" {
		cfg, diags := source.LoadConfig(o.configFile)
		if diags.HasErrors() {
			return failed(asFlags(diags))
		}
		opts.Config = cfg
	}
	b, refusal, err := krm.KustomizeBuild(args[0])
	if refusal != nil {
		return refused("%s", refusal.String())
	}
	if err != nil {
		return refused("skillc build: kustomize build %s: %v", args[0], err)
	}
	r, out := compileItems(cmd, "build", args[0], b.Items, nil, opts, o.policyDirs, o.failOnWarn, b.Locate)
	if out.code != exitOK {
		return out
	}
	stream, err := krm.KustomizeStream(r.passthrough, b.UserOrigin)
	if err != nil {
		return out.then(internalError(err))
	}
	compiled, err := emit.MarshalStream(r.objects)
	if err != nil {
		return out.then(internalError(err))
	}
	if len(stream) > 0 && len(compiled) > 0 {
		stream = append(stream, "---\n"...)
	}
	stream = append(stream, compiled...)
	_, _ = cmd.OutOrStdout().Write(stream) // a failure is kept and reported by run
	return out
}
