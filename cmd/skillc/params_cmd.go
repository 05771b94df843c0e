package main

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/policy"
	"github.com/skillc-dev/skillc/source"
)

type paramsOptions struct {
	configFile string
	profile    string
}

func newParamsCommand() *cobra.Command {
	o := &paramsOptions{}
	cmd := &cobra.Command{
		Use:   "params --config FILE",
		Short: "Print the CompilerConfig's policy settings as data for conftest --data",
		Long: `Print the data.skillc.parameters document of a CompilerConfig as JSON, for conftest on a render
(conftest test --all-namespaces -p policy/ --data FILE rendered/): the profile, allow-lists,
resource ceilings, rule severities (spec.policy.rules) and exceptions skillc's gate applies, so a
render that skillc passes also passes under conftest. Under conftest a finding an exception
waives is a warning that names the exception; an exception that names a version or an image
digest is not applied (a render does not carry a pack's version). The config is validated as
compile validates it: bad input is exit 2.`,
		Example: `  skillc params --config platform.yaml > skillc-params.json
  skillc compile -o rendered/ --config platform.yaml skills/ tenants/
  conftest test --all-namespaces -p policy/ --data skillc-params.json rendered/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runParams(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.configFile, "config", "", "CompilerConfig `FILE` with the platform's settings")
	_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	f.StringVar(&o.profile, "profile", "", "policy profile: `"+strings.Join(api.Profiles, "|")+"` (default baseline)")
	_ = cmd.RegisterFlagCompletionFunc("profile", cobra.FixedCompletions(api.Profiles, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

func runParams(cmd *cobra.Command, o *paramsOptions) error {
	if o.configFile == "" {
		return errors.New("params needs --config FILE: the CompilerConfig whose settings conftest should apply")
	}
	cfg, diags := source.LoadConfig(o.configFile)
	if diags.HasErrors() {
		return failed(asFlags(diags))
	}
	if o.profile != "" {
		if !slices.Contains(api.Profiles, o.profile) {
			return refused("--profile must be one of %v, got %q", api.Profiles, o.profile)
		}
		cfg.Spec.Policy.Profile = api.Profile(o.profile)
	}
	cfg.Default()
	if diags = cfg.Validate(); diags.HasErrors() {
		return failed(diags)
	}
	ds, err := policy.CheckRules(cfg)
	if err != nil {
		return internalError(err)
	}
	if ds != nil {
		return failed(ds)
	}
	doc := map[string]any{"skillc": map[string]any{"parameters": policy.ConftestParams(&cfg.Spec)}}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return internalError(err)
	}
	_, _ = cmd.OutOrStdout().Write(append(out, '\n')) // a failed write is reported by run
	return nil
}
