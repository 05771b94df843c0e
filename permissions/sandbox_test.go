package permissions

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/skillc-dev/skillc/compile"
	"github.com/skillc-dev/skillc/internal/emit"
	"github.com/skillc-dev/skillc/source"
)

// TestFromObjectsSandboxAndChannels: a sandbox-backed run's grants land beside its pod (one run,
// "Sandbox <ns>/<run>"), and an Agent's own pods (channel gateways, the warm pool) are in the set,
// whether read from the compiled objects or from their render.
func TestFromObjectsSandboxAndChannels(t *testing.T) {
	files, diags := source.ReadPaths([]string{"../fixtures/agent-sandbox", "../fixtures/channels"}, nil)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for _, identity := range []string{"shared", "per-run"} {
		t.Run(identity, func(t *testing.T) {
			res, ds := compile.Compile(files, compile.Options{Identity: identity})
			if err := ds.Err(); err != nil {
				t.Fatal(err)
			}
			compiled := flat(FromObjects(res.Objects))
			stream, err := emit.MarshalStream(res.Objects)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(compiled, flat(FromObjects(objects(t, string(stream))))); diff != "" {
				t.Errorf("compiled vs rendered (-want +got):\n%s", diff)
			}
			for _, want := range []string{
				`Sandbox secure/alice-sandbox-run [log-reader] Role secure core/pods get`,
				`Sandbox secure/alice-sandbox-run [log-reader] image skill-log-reader = ghcr.io/example/log-reader:1.4.2`,
				`SandboxWarmPool secure/wp-secure-alice [] host root possible (no runAsUser, runAsNonRoot unset) in agent`,
				`Deployment support/concierge-channel-slack [] secret concierge-slack as env (envFrom) in channel`,
				`Deployment support/concierge-channel-discord [] image channel = ghcr.io/sympozium-ai/sympozium/channel-discord:v0.10.46`,
			} {
				if !slices.Contains(compiled, want) {
					t.Errorf("missing %q in\n%v", want, compiled)
				}
			}
			for _, line := range compiled {
				if strings.HasPrefix(line, "Job secure/alice-sandbox-run ") {
					t.Errorf("a sandbox-backed run's permission is filed under a Job: %s", line)
				}
			}
		})
	}
}
