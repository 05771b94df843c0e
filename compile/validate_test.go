package compile

import (
	"strings"
	"testing"
)

// TestReservedInput (issue 21): environment names that make a process load code or send its traffic
// elsewhere, an empty param key and a sidecar volume named like one of skillc's volumes (host mounts,
// secrets, the token, the pod's own) are bad input (exit 2), not findings, each one error.
func TestReservedInput(t *testing.T) {
	run := func(env string) string {
		return strings.Replace(testRun, "task: go", "task: go\n  env: {"+env+"}", 1)
	}
	runParams := func(params string) string {
		return strings.Replace(testRun, "task: go", "task: go\n  skills: [{skillPackRef: p, params: {"+params+"}}]", 1)
	}
	instParams := func(params string) string {
		return strings.Replace(testInstance, "skills: [{skillPackRef: p}]", "skills: [{skillPackRef: p, params: {"+params+"}}]", 1)
	}
	sidecarEnv := func(name string) string {
		return pack("image: reg/x:1\nenv: [{name: " + name + ", value: x}]")
	}
	plain := pack("image: reg/x:1")
	tests := []struct {
		name        string
		docs        []string
		field, want string // want "" compiles
	}{
		{"run env LD_PRELOAD", []string{plain, testInstance, run("LD_PRELOAD: /tmp/x.so")},
			"spec.env.LD_PRELOAD", `"LD_PRELOAD" is reserved: LD_* variables steer the dynamic loader: LD_PRELOAD loads code into the agent before it starts`},
		{"run env ld_library_path, any case", []string{plain, testInstance, run("ld_library_path: /tmp")},
			"spec.env.ld_library_path", "LD_* variables steer the dynamic loader"},
		{"run env NODE_OPTIONS", []string{plain, testInstance, run("NODE_OPTIONS: --require=/tmp/x.js")},
			"spec.env.NODE_OPTIONS", "load code first (--require, --import)"},
		{"run env PYTHONSTARTUP", []string{plain, testInstance, run("PYTHONSTARTUP: /tmp/x.py")},
			"spec.env.PYTHONSTARTUP", "PYTHON* variables"},
		{"run env PYTHONPATH", []string{plain, testInstance, run("PYTHONPATH: /tmp")},
			"spec.env.PYTHONPATH", "PYTHON* variables"},
		{"run env HTTPS_PROXY", []string{plain, testInstance, run("HTTPS_PROXY: http://evil")},
			"spec.env.HTTPS_PROXY", "API tokens included, through another host"},
		{"run env https_proxy", []string{plain, testInstance, run("https_proxy: http://evil")},
			"spec.env.https_proxy", "*_PROXY variables (any case)"},
		{"run env ALL_PROXY", []string{plain, testInstance, run("ALL_PROXY: socks5://evil")},
			"spec.env.ALL_PROXY", "*_PROXY"},
		{"run env NO_PROXY", []string{plain, testInstance, run("NO_PROXY: '*'")},
			"spec.env.NO_PROXY", "around the platform's proxy"},
		{"run env KUBERNETES_SERVICE_HOST", []string{plain, testInstance, run("KUBERNETES_SERVICE_HOST: 10.0.0.1")},
			"spec.env.KUBERNETES_SERVICE_HOST", "its service-account token would go to another host"},
		{"run env KUBERNETES_PORT_443_TCP", []string{plain, testInstance, run("KUBERNETES_PORT_443_TCP: tcp://10.0.0.1:443")},
			"spec.env.KUBERNETES_PORT_443_TCP", "KUBERNETES_PORT*"},
		{"run env KUBERNETES_PORT", []string{plain, testInstance, run("KUBERNETES_PORT: tcp://10.0.0.1:443")},
			"spec.env.KUBERNETES_PORT", "KUBERNETES_PORT*"},
		{"sidecar env LD_PRELOAD", []string{sidecarEnv("LD_PRELOAD"), testInstance, testRun},
			"spec.sidecar.env[0].name", `"LD_PRELOAD" is reserved: LD_* variables steer the dynamic loader: LD_PRELOAD loads code into the sidecar before it starts`},
		{"sidecar env http_proxy", []string{sidecarEnv("http_proxy"), testInstance, testRun},
			"spec.sidecar.env[0].name", "*_PROXY"},
		{"sidecar env PYTHONHOME", []string{sidecarEnv("PYTHONHOME"), testInstance, testRun},
			"spec.sidecar.env[0].name", "PYTHON*"},
		// Issue 21's siblings: code loaded at start, trust anchors replaced, another cluster's
		// credentials; names are case-sensitive.
		{"run env PATH", []string{plain, testInstance, run("PATH: /workspace/bin")},
			"spec.env.PATH", `"PATH" is reserved: PATH chooses the program every command of the agent runs`},
		{"run env BASH_ENV", []string{plain, testInstance, run("BASH_ENV: /workspace/x.sh")},
			"spec.env.BASH_ENV", "every non-interactive bash of the agent runs first: code loaded at start"},
		{"run env ENV", []string{plain, testInstance, run("ENV: /workspace/x.sh")},
			"spec.env.ENV", "every POSIX sh of the agent runs first"},
		{"run env PERL5OPT", []string{plain, testInstance, run("PERL5OPT: -Mx")},
			"spec.env.PERL5OPT", "every Perl process of the agent load code first"},
		{"run env PERL5LIB", []string{plain, testInstance, run("PERL5LIB: /workspace")},
			"spec.env.PERL5LIB", "PERL5LIB makes every Perl process"},
		{"run env RUBYOPT", []string{plain, testInstance, run("RUBYOPT: -rx")},
			"spec.env.RUBYOPT", "every Ruby process of the agent load code first"},
		{"run env RUBYLIB", []string{plain, testInstance, run("RUBYLIB: /workspace")},
			"spec.env.RUBYLIB", "RUBYLIB makes every Ruby process"},
		{"run env JAVA_TOOL_OPTIONS", []string{plain, testInstance, run("JAVA_TOOL_OPTIONS: -javaagent:/workspace/x.jar")},
			"spec.env.JAVA_TOOL_OPTIONS", "every JVM of the agent load code first (-javaagent)"},
		{"run env _JAVA_OPTIONS", []string{plain, testInstance, run("_JAVA_OPTIONS: -javaagent:/workspace/x.jar")},
			"spec.env._JAVA_OPTIONS", "_JAVA_OPTIONS makes every JVM"},
		{"run env JDK_JAVA_OPTIONS", []string{plain, testInstance, run("JDK_JAVA_OPTIONS: -javaagent:/workspace/x.jar")},
			"spec.env.JDK_JAVA_OPTIONS", "every java launch of the agent"},
		{"run env GLIBC_TUNABLES", []string{plain, testInstance, run("GLIBC_TUNABLES: glibc.malloc.check=3")},
			"spec.env.GLIBC_TUNABLES", "steers glibc in every process of the agent"},
		{"run env GCONV_PATH", []string{plain, testInstance, run("GCONV_PATH: /workspace")},
			"spec.env.GCONV_PATH", "load charset modules, i.e. code"},
		{"run env NODE_PATH", []string{plain, testInstance, run("NODE_PATH: /workspace")},
			"spec.env.NODE_PATH", "resolve require() from a directory"},
		{"run env NODE_EXTRA_CA_CERTS", []string{plain, testInstance, run("NODE_EXTRA_CA_CERTS: /workspace/ca.pem")},
			"spec.env.NODE_EXTRA_CA_CERTS", "adds trust anchors to every Node.js process of the agent"},
		{"run env SSL_CERT_FILE", []string{plain, testInstance, run("SSL_CERT_FILE: /workspace/ca.pem")},
			"spec.env.SSL_CERT_FILE", "replaces the trust anchors of the TLS clients of the agent"},
		{"run env SSL_CERT_DIR", []string{plain, testInstance, run("SSL_CERT_DIR: /workspace")},
			"spec.env.SSL_CERT_DIR", "intercepts its TLS, API tokens included"},
		{"run env REQUESTS_CA_BUNDLE", []string{plain, testInstance, run("REQUESTS_CA_BUNDLE: /workspace/ca.pem")},
			"spec.env.REQUESTS_CA_BUNDLE", "trust anchors of Python requests"},
		{"run env CURL_CA_BUNDLE", []string{plain, testInstance, run("CURL_CA_BUNDLE: /workspace/ca.pem")},
			"spec.env.CURL_CA_BUNDLE", "trust anchors of curl"},
		{"run env GIT_SSH_COMMAND", []string{plain, testInstance, run("GIT_SSH_COMMAND: /workspace/x")},
			"spec.env.GIT_SSH_COMMAND", "every git fetch and push of the agent runs"},
		{"run env GIT_SSH", []string{plain, testInstance, run("GIT_SSH: /workspace/x")},
			"spec.env.GIT_SSH", "GIT_SSH names the program"},
		{"run env KUBECONFIG", []string{plain, testInstance, run("KUBECONFIG: /workspace/kubeconfig")},
			"spec.env.KUBECONFIG", "another cluster's credentials"},
		{"sidecar env SSL_CERT_FILE", []string{sidecarEnv("SSL_CERT_FILE"), testInstance, testRun},
			"spec.sidecar.env[0].name", `"SSL_CERT_FILE" is reserved: SSL_CERT_FILE replaces the trust anchors of the TLS clients of the sidecar`},
		{"sidecar env KUBECONFIG", []string{sidecarEnv("KUBECONFIG"), testInstance, testRun},
			"spec.sidecar.env[0].name", "KUBECONFIG points the Kubernetes clients of the sidecar"},
		{"instance param key GIT_SSH_COMMAND", []string{plain, instParams("GIT_SSH_COMMAND: /workspace/x"), testRun},
			"spec.skills[0].params.GIT_SSH_COMMAND", `param "GIT_SSH_COMMAND" is reserved: GIT_SSH_COMMAND`},
		{"run param key ld_preload", []string{plain, testInstance, runParams("ld_preload: /tmp/x.so")},
			"spec.skills[0].params.ld_preload", `param "ld_preload" is reserved: LD_*`},
		{"instance param key LD_PRELOAD", []string{plain, instParams("LD_PRELOAD: /tmp/x.so"), testRun},
			"spec.skills[0].params.LD_PRELOAD", `param "LD_PRELOAD" is reserved`},
		{"instance param becomes SKILL_HTTPS_PROXY", []string{plain, instParams("https-proxy: http://evil"), testRun},
			"spec.skills[0].params.https-proxy", `param "https-proxy" would become env "SKILL_HTTPS_PROXY", which is reserved: *_PROXY`},
		{"run param key proxy becomes SKILL_PROXY", []string{plain, testInstance, runParams("proxy: http://evil")},
			"spec.skills[0].params.proxy", `would become env "SKILL_PROXY", which is reserved`},
		{"empty param key", []string{plain, instParams(`"": x`), testRun},
			"spec.skills[0].params", `a param needs a name: an empty one would become env "SKILL_"`},
		{"empty run param key", []string{plain, testInstance, runParams(`"": x`)},
			"spec.skills[0].params", "a param needs a name"},
		{"sidecar volume named like a host volume", []string{pack("image: reg/x:1\nvolumes: [{name: host-p-0, emptyDir: {}}]\nvolumeMounts: [{name: host-p-0, mountPath: /h}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "host-p-0" is reserved: names starting with "host-" are skillc's, for the host paths a pack declares in hostAccess.mounts`},
		{"sidecar hostPath volume named host-x", []string{pack("image: reg/x:1\nvolumes: [{name: host-x, hostPath: {path: /srv}}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "host-x" is reserved`},
		{"sidecar volume named like a secret volume", []string{pack("image: reg/x:1\nvolumes: [{name: skill-secret-other, secret: {secretName: db}}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "skill-secret-other" is reserved: names starting with "skill-secret-" are skillc's, for the Secret a pack names in sidecar.secretRef`},
		{"sidecar volume named like its own secret volume", []string{pack("image: reg/x:1\nsecretRef: db\nvolumes: [{name: skill-secret-p, emptyDir: {}}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "skill-secret-p" is reserved: names starting with "skill-secret-"`},
		{"sidecar volume named like the token", []string{pack("image: reg/x:1\nvolumes: [{name: kube-api-access, projected: {sources: [{serviceAccountToken: {path: token}}]}}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "kube-api-access" is reserved: the name is skillc's, for the run's service-account token`},
		{"sidecar volume workspace", []string{pack("image: reg/x:1\nvolumes: [{name: workspace, emptyDir: {}}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "workspace" is reserved: the name is skillc's, for one of the volumes every pod has (workspace, ipc, tmp, skills)`},
		{"sidecar volume ipc", []string{pack("image: reg/x:1\nvolumes: [{name: ipc, emptyDir: {}}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "ipc" is reserved`},
		{"sidecar volume tmp", []string{pack("image: reg/x:1\nvolumes: [{name: tmp, emptyDir: {}}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "tmp" is reserved`},
		{"sidecar volume skills", []string{pack("image: reg/x:1\nvolumes: [{name: skills, emptyDir: {}}]"), testInstance, testRun},
			"spec.sidecar.volumes[0].name", `volume name "skills" is reserved`},

		// Allowed: names that only look alike.
		{"run env LDAP_URL", []string{plain, testInstance, run("LDAP_URL: ldap://x, PROXY_URL: http://x, MY_PYTHON: x, KUBERNETES_NAMESPACE: team, NODE_ENV: production")}, "", ""},
		{"sidecar env GOLD_TOKEN_PATH", []string{pack("image: reg/x:1\nenv: [{name: GOLD_PATH, value: x}, {name: PROXYCONF, value: x}]"), testInstance, testRun}, "", ""},
		{"run env HOME and lookalikes", []string{plain, testInstance, run("HOME: /workspace, path: x, MY_PATH: x, ENVIRONMENT: prod, KUBECONFIG_DIR: x, GIT_SSH_KEY_NAME: x, SSL_CERT: x")}, "", ""},
		{"params path, env and kubeconfig", []string{plain, instParams("path: /data, env: prod, kubeconfig: x, ssl_cert_file: x"), testRun}, "", ""},
		{"params mode and python_version", []string{plain, instParams("mode: fast, python_version: '3.12', proxied: 'yes'"), testRun}, "", ""},
		{"sidecar volume hostdata", []string{pack("image: reg/x:1\nvolumes: [{name: hostdata, emptyDir: {}}]\nvolumeMounts: [{name: hostdata, mountPath: /h}]"), testInstance, testRun}, "", ""},
		{"sidecar volumes that only look like skillc's", []string{pack("image: reg/x:1\nvolumes: [{name: skill-data, emptyDir: {}}, {name: kube-api-access-x, emptyDir: {}}, {name: workspaces, emptyDir: {}}, {name: tmp2, emptyDir: {}}, {name: skill-secrets, emptyDir: {}}]"), testInstance, testRun}, "", ""},
		{"sidecar mounts the pod's own volumes without declaring them", []string{pack("image: reg/x:1\nvolumeMounts: [{name: workspace, mountPath: /w}]"), testInstance, testRun}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := compileYAML(t, Options{}, tt.docs...)
			if tt.want == "" {
				if diags != nil {
					t.Fatalf("refused: %v", diags)
				}
				return
			}
			if diags.ExitCode() != 2 {
				t.Errorf("exit %d, want 2 (bad input)", diags.ExitCode())
			}
			wantDiag(t, diags, 0, tt.field, tt.want)
			// One mistake, one error: no second one from a later stage (a volume collision).
			if len(diags) != 1 {
				t.Errorf("%d diagnostics, want 1: %v", len(diags), diags)
			}
			for _, d := range diags {
				if d.Field == tt.field && d.Line == 0 {
					t.Errorf("%s has no line: %v", d.Field, d)
				}
			}
		})
	}
}
