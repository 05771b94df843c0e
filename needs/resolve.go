package needs

import (
	"path"
	"slices"
	"strings"
)

// localTools run on the agent's machine and never call the Kubernetes API: a command of theirs is
// not reported at all. Anything else that is not kubectl is reported not analysed.
var localTools = set("awk", "base64", "basename", "cat", "cd", "column", "cut", "date", "diff", "dirname",
	"echo", "egrep", "env", "exit", "export", "false", "fgrep", "find", "grep", "head", "jq", "less", "ls",
	"mkdir", "more", "printf", "pwd", "read", "return", "sed", "seq", "set", "sleep", "sort", "tail", "tee",
	"test", "tr", "true", "uniq", "unset", "wc", "xxd", "yq", "[", "[[", ":", "local", "shift",
	// Host and repository tools: they read the machine or a Git repository, not the cluster.
	"git", "gh", "ps", "nproc", "df", "du", "free", "uptime", "top", "hostname", "uname", "id", "whoami",
	"ip", "ss", "netstat", "dig", "nslookup", "host", "ping", "openssl", "lsblk", "dmesg", "journalctl",
	"stat", "file", "md5sum", "sha256sum", "tar", "gzip", "gunzip", "zcat", "touch", "cp", "mv", "rm",
	"chmod", "which", "type", "printenv", "tput", "clear", "mktemp", "realpath", "readlink", "nl", "paste",
	"join", "comm", "fold", "fmt", "expand", "rev", "shuf", "bc", "expr", "let", "jless", "fx", "gron")

// apiClients are programs known to call the Kubernetes API (or any HTTP API) themselves: reported
// as not analysed wherever they appear, also in an untagged block.
var apiClients = set("curl", "wget", "http", "httpie", "helm", "oc", "k9s", "stern", "kubectx", "kubens",
	"flux", "argocd", "istioctl", "linkerd", "kustomize", "kn", "tkn", "velero", "kubeseal", "crictl",
	"sh", "bash", "zsh", "source", ".", "python", "python3", "node", "go", "ruby", "perl")

// wrappers run the command that follows them; their own options are skipped.
var wrappers = set("sudo", "time", "timeout", "watch", "nohup", "nice", "xargs", "command", "exec", "env")

func set(xs ...string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// resolveCall fills c from one simple command's words. A command of a local tool is left with
// Analysed false and no Reason: the caller drops it.
func resolveCall(c *Command, args []word, forbid, tagged bool) {
	xargs := false
	for len(args) > 0 {
		prog := args[0]
		if prog.dynamic() {
			if tagged || strings.Contains(strings.ToLower(c.Command), "kubectl") {
				c.Reason = "the program is a variable: what it runs is not known"
			}
			return
		}
		name := path.Base(prog.val)
		switch {
		case name == "kubectl":
			if forbid {
				c.Reason = "the skill's text forbids this command: not counted as a need"
				return
			}
			kargs := args[1:]
			if xargs {
				kargs = xargsArgs(kargs)
			}
			resolveKubectl(c, kargs)
			return
		case wrappers[name]:
			if name == "xargs" {
				xargs = true
			}
			args = skipWrapper(name, args[1:])
			if len(args) == 0 && name != "env" && name != "exec" {
				return
			}
			continue
		case localTools[name]:
			return
		case strings.Contains(prog.val, "="): // FOO=bar kubectl ...: the parser keeps assignments apart
			args = args[1:]
			continue
		}
		// An untagged block may be a template or an example output rather than shell: there,
		// only a program known to reach an API is reported.
		if tagged || apiClients[name] || strings.HasPrefix(name, "kubectl-") || strings.Contains(prog.val, "/") {
			c.Reason = notKubectl(name, prog.val)
		}
		return
	}
}

// xargsArgs: xargs fills in arguments at run time: {} (the usual -I string) and, without it,
// words after the last one written.
func xargsArgs(args []word) []word {
	out := make([]word, 0, len(args)+1)
	replaced := false
	for _, a := range args {
		if strings.Contains(a.val, "{}") {
			a.val = strings.ReplaceAll(a.val, "{}", dynamicMark)
			replaced = true
		}
		out = append(out, a)
	}
	if !replaced {
		out = append(out, word{val: dynamicMark})
	}
	return out
}

// skipWrapper drops a wrapper's own options (and timeout's duration, env's assignments).
func skipWrapper(name string, args []word) []word {
	for len(args) > 0 {
		a := args[0]
		switch {
		case a.dynamic():
			return args
		case strings.HasPrefix(a.val, "-"):
			args = args[1:]
			if len(args) > 0 && !strings.HasPrefix(args[0].val, "-") && wrapperValueFlag(name, a.val) {
				args = args[1:]
			}
			continue
		case name == "env" && strings.Contains(a.val, "="):
			args = args[1:]
			continue
		case name == "timeout" && len(a.val) > 0 && a.val[0] >= '0' && a.val[0] <= '9':
			return args[1:]
		}
		return args
	}
	return args
}

func wrapperValueFlag(name, flag string) bool {
	switch name {
	case "watch":
		return flag == "-n" || flag == "--interval" || flag == "-d" && false
	case "xargs":
		return flag == "-I" || flag == "-n" || flag == "-P" || flag == "-L" || flag == "-d" || flag == "-s"
	case "sudo":
		return flag == "-u" || flag == "-g"
	case "timeout":
		return flag == "-s" || flag == "-k" || flag == "--signal" || flag == "--kill-after"
	case "nice":
		return flag == "-n"
	}
	return false
}

func notKubectl(name, written string) string {
	switch {
	case name == "curl" || name == "wget" || name == "http" || name == "httpie":
		return "`" + name + "` is an HTTP client: the API requests it makes are not known"
	case name == "helm":
		return "`helm` calls the API itself: the requests it makes are not known"
	case name == "sh" || name == "bash" || name == "zsh" || name == "source" || name == "." ||
		strings.HasSuffix(name, ".sh") || strings.HasSuffix(name, ".py") || strings.Contains(written, "/"):
		return "a script: the commands it runs are not shown"
	case strings.HasPrefix(name, "kubectl-"):
		return "a kubectl plugin: the API requests it makes are not known"
	}
	return "`" + name + "` is not kubectl: the API requests it makes, if any, are not known"
}

func (w word) dynamic() bool { return strings.Contains(w.val, dynamicMark) }

// flagSpec says whether a kubectl flag takes a value. Flags not listed make the command not
// analysed: guessing would misread its arguments.
var boolFlags = set("all-namespaces", "watch", "watch-only", "recursive", "stdin", "tty", "previous", "follow",
	"all-containers", "timestamps", "prefix", "ignore-errors", "no-headers", "show-labels", "show-kind", "all",
	"force", "now", "overwrite", "local", "ignore-daemonsets", "delete-emptydir-data", "disable-eviction", "list",
	"quiet", "insecure-skip-tls-verify", "containers", "use-protocol-buffers", "sum", "show-managed-fields",
	"ignore-not-found", "wait", "record", "server-side", "force-conflicts", "prune", "keep-annotations",
	"share-processes", "replace", "same-node", "attach", "interactive", "no-preserve", "namespaced", "help",
	"show-events", "rm", "allow-missing-template-keys", "all-pods", "ignore-missing", "windows-line-endings",
	"keep-going", "match-server-version", "warnings-as-errors", "disable-compression", "expanded", "recursive",
	"openapi-patch", "save-config", "validate", "dry-run", "cascade", "skip-wait-for-delete-timeout", "no-headers")

// noOptDefault are the flags kubectl declares with a default when written bare (--dry-run,
// --validate, --cascade): written bare they take no value; a value needs =.
var noOptDefault = set("dry-run", "validate", "cascade", "wait", "show-events")

var valueFlags = set("namespace", "selector", "output", "filename", "field-selector", "container", "tail",
	"since", "since-time", "sort-by", "template", "context", "kubeconfig", "cluster", "user", "as", "as-group",
	"as-uid", "token", "server", "request-timeout", "timeout", "for", "replicas", "current-replicas",
	"resource-version", "type", "patch", "patch-file", "image", "target", "pod-running-timeout",
	"grace-period", "chunk-size", "label-columns", "max-log-requests", "limit-bytes", "to-revision",
	"revision", "subresource", "field-manager", "overrides", "address", "copy-to", "profile", "env",
	"retries", "kustomize", "raw", "api-group", "verbs", "sort-by", "types", "image-pull-policy",
	"custom-profile", "set-image", "certificate-authority", "client-certificate", "client-key",
	"tls-server-name", "password", "username", "cache-dir", "log-file", "vmodule", "port", "name",
	"labels", "from", "schedule", "restart", "serviceaccount", "override-type", "delete-local-data",
	"pod-selector", "min-available", "max-unavailable", "show-kind", "cpu", "memory", "duration",
	"audience", "bound-object-kind", "bound-object-name", "bound-object-uid", "clusterrole", "role",
	"group", "verb", "resource", "resource-name", "non-resource-url", "rule", "aggregation-rule",
	"protocol", "target-port", "external-ip", "load-balancer-ip", "session-affinity", "cluster-ip",
	"node-port", "tcp", "docker-server", "docker-username", "docker-password", "docker-email",
	"from-literal", "from-file", "from-env-file", "key", "cert", "class", "default-backend", "annotation",
	"hard", "scopes", "value", "description", "preemption-policy", "global-default", "containers",
	"local-port", "output-watch-events", "columns", "regex", "plugin", "dir", "kuberc", "api-version",
	"pod-running-timeout", "output-directory", "namespace-name", "field", "show-only", "serviceaccount-name",
	"tls", "max-surge", "v", "max", "min", "cpu-percent")

// shortFlags maps kubectl's one-letter flags to their long names, per subcommand where they differ.
var shortFlags = map[byte]string{
	'n': "namespace", 'A': "all-namespaces", 'l': "selector", 'o': "output", 'w': "watch",
	'f': "filename", 'c': "container", 'i': "stdin", 't': "tty", 'R': "recursive", 'k': "kustomize",
	'L': "label-columns", 'q': "quiet", 's': "server", 'h': "help", 'v': "v", 'e': "env", 'p': "patch",
}

func shortFlag(sub string, c byte) string {
	switch {
	case sub == "logs" && c == 'f':
		return "follow"
	case sub == "logs" && c == 'p':
		return "previous"
	case sub == "events" && c == 'w':
		return "watch"
	}
	return shortFlags[c]
}

// kcmd is a kubectl command line split into subcommand, positional arguments and flags.
type kcmd struct {
	sub   []string // "get"; "rollout", "status"
	pos   []word
	flags map[string][]word
	after []word // after --: a command for the container (exec, debug)
}

func (k *kcmd) has(name string) bool { _, ok := k.flags[name]; return ok }

// flag is a flag's last value (a bool written bare is "true").
func (k *kcmd) flag(name string) (word, bool) {
	v, ok := k.flags[name]
	if !ok || len(v) == 0 {
		return word{}, ok
	}
	return v[len(v)-1], true
}

func (k *kcmd) boolFlag(name string) bool { return k.boolFlagOr(name, false) }

// boolFlagOr is a boolean flag's value, def when it is not given (--wait and --show-events
// default to true).
func (k *kcmd) boolFlagOr(name string, def bool) bool {
	v, ok := k.flag(name)
	if !ok {
		return def
	}
	return v.val != "false"
}

// subcommandDepth is how many words name the subcommand.
var groupCommands = set("cluster-info", "rollout", "auth", "set", "create", "config", "certificate", "plugin", "top", "apply", "alpha")

// parseKubectl splits kubectl's arguments; an unknown flag is an error (a reason).
func parseKubectl(args []word) (kcmd, string) {
	k := kcmd{flags: map[string][]word{}}
	sub := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a.dynamic() && strings.HasPrefix(a.val, dynamicMark) && sub == "" {
			return k, "the subcommand is a variable"
		}
		v := a.val
		switch {
		case v == "--":
			k.after = args[i+1:]
			return k, ""
		case strings.HasPrefix(v, "--"):
			name, val, hasVal := strings.Cut(v[2:], "=")
			if hasVal {
				k.flags[name] = append(k.flags[name], word{val: val})
				continue
			}
			switch {
			case boolFlags[name] || noOptDefault[name]:
				k.flags[name] = append(k.flags[name], word{val: "true"})
			case valueFlags[name]:
				if i+1 >= len(args) {
					return k, "flag --" + name + " has no value"
				}
				i++
				k.flags[name] = append(k.flags[name], args[i])
			default:
				return k, "unknown flag --" + name
			}
		case len(v) > 1 && v[0] == '-' && !a.dynamic():
			for j := 1; j < len(v); j++ {
				name := shortFlag(sub, v[j])
				if name == "" {
					return k, "unknown flag -" + string(v[j])
				}
				if boolFlags[name] && !valueFlags[name] || name == "follow" || name == "previous" {
					k.flags[name] = append(k.flags[name], word{val: "true"})
					continue
				}
				rest := v[j+1:]
				rest = strings.TrimPrefix(rest, "=")
				if rest != "" {
					k.flags[name] = append(k.flags[name], word{val: rest})
				} else {
					if i+1 >= len(args) {
						return k, "flag -" + string(v[j]) + " has no value"
					}
					i++
					k.flags[name] = append(k.flags[name], args[i])
				}
				break
			}
		default:
			if sub == "" {
				sub = v
				k.sub = []string{v}
				continue
			}
			if len(k.sub) == 1 && groupCommands[sub] && len(k.pos) == 0 && !a.dynamic() {
				k.sub = append(k.sub, v)
				continue
			}
			k.pos = append(k.pos, a)
		}
	}
	return k, ""
}

// target is a resource a command names and the objects of it: by name (get) or all (list).
type target struct {
	res   Resource
	named bool // one or more names: GET each; else LIST
}

// targets reads TYPE NAME..., TYPE1,TYPE2, TYPE/NAME... as kubectl's builder does. defType is
// the type a bare NAME means (logs, exec: pods), "" when a type is required.
func (k *kcmd) targets(defType string) ([]target, string) {
	if len(k.pos) == 0 {
		if k.has("filename") || k.has("kustomize") {
			return nil, "the objects come from a file (-f/-k): their types are not shown"
		}
		if defType != "" {
			return nil, "no object named"
		}
		return nil, "no resource type given"
	}
	first := k.pos[0]
	if defType != "" && !strings.Contains(strings.SplitN(first.val, dynamicMark, 2)[0], "/") {
		r, ok := Lookup(defType)
		if !ok {
			return nil, "unknown resource type " + defType
		}
		return []target{{res: r, named: true}}, ""
	}
	if strings.Contains(strings.SplitN(first.val, dynamicMark, 2)[0], "/") {
		var out []target
		for _, p := range k.pos {
			static := strings.SplitN(p.val, dynamicMark, 2)[0]
			typ, _, ok := strings.Cut(static, "/")
			if !ok {
				return nil, "`" + printable(p.val) + "` mixes TYPE/NAME with other arguments"
			}
			r, why := lookupType(typ)
			if why != "" {
				return nil, why
			}
			out = addTarget(out, target{res: r, named: true})
		}
		return out, ""
	}
	if first.dynamic() {
		return nil, "the resource type is a variable or a placeholder"
	}
	named := len(k.pos) > 1
	var out []target
	for t := range strings.SplitSeq(first.val, ",") {
		if t == "" {
			continue
		}
		if cat := Category(strings.ToLower(t)); len(cat) > 0 {
			if _, ok := Lookup(t); !ok {
				for _, r := range cat {
					out = addTarget(out, target{res: r, named: named})
				}
				continue
			}
		}
		r, why := lookupType(t)
		if why != "" {
			return nil, why
		}
		out = addTarget(out, target{res: r, named: named})
	}
	if len(out) == 0 {
		return nil, "no resource type given"
	}
	return out, ""
}

func addTarget(ts []target, t target) []target {
	for _, x := range ts {
		if x.res.Name == t.res.Name && x.res.Group == t.res.Group && x.named == t.named {
			return ts
		}
	}
	return append(ts, t)
}

func lookupType(t string) (Resource, string) {
	if strings.Contains(t, dynamicMark) {
		return Resource{}, "the resource type is a variable or a placeholder"
	}
	r, ok := Lookup(t)
	if !ok {
		return Resource{}, "unknown resource type `" + t + "`: not in the API server's discovery table (a custom resource skillc does not know?)"
	}
	return r, ""
}

func printable(s string) string { return strings.ReplaceAll(s, dynamicMark, "$…") }

// resolver accumulates one command's requests.
type resolver struct {
	k    *kcmd
	reqs []Request
}

// nsScope is the scope of a request on a namespaced resource in the command's namespace.
func (r *resolver) nsScope() Scope {
	if r.k.boolFlag("all-namespaces") {
		return ScopeCluster
	}
	return r.k.namespaceScope()
}

// namespaceScope is the scope -n gives: none, a variable or a placeholder is the run's namespace;
// a literal namespace is another one, which only clusterRBAC reaches.
func (k *kcmd) namespaceScope() Scope {
	ns, ok := k.flag("namespace")
	if !ok || ns.dynamic() || ns.val == "" {
		return ScopeNamespace
	}
	return ScopeCluster
}

func (r *resolver) scopeOf(res Resource) Scope {
	if !res.Namespaced {
		return ScopeCluster
	}
	return r.nsScope()
}

// add records verb on res (or res/sub) in the scope a request on res in this command has.
func (r *resolver) add(verb string, res Resource, sub string) {
	r.addScoped(verb, res, sub, r.scopeOf(res), false)
}

func (r *resolver) optional(verb string, res Resource, sub string) {
	r.addScoped(verb, res, sub, r.scopeOf(res), true)
}

func (r *resolver) addScoped(verb string, res Resource, sub string, scope Scope, optional bool) {
	if !res.Namespaced {
		scope = ScopeCluster
	}
	q := Request{Verb: verb, Group: res.Group, Resource: res.Name, Subresource: sub, Scope: scope, Optional: optional}
	for i, x := range r.reqs {
		y := x
		y.Optional = q.Optional
		if y == q {
			r.reqs[i].Optional = x.Optional && optional
			return
		}
	}
	r.reqs = append(r.reqs, q)
}

// must looks up a built-in resource the table is generated with; missing means a stale table.
func must(name string) Resource {
	r, ok := Lookup(name)
	if !ok {
		// Built-in resources are always served; a table without one is a broken build.
		panic("needs: discovery table lacks " + name)
	}
	return r
}

// metrics.k8s.io is served by metrics-server, an aggregated API the table's control plane does
// not run: its two resources are known here.
var (
	metricsPods  = Resource{Name: "pods", Singular: "", Kind: "PodMetrics", Group: "metrics.k8s.io", Version: "v1beta1", Namespaced: true, Verbs: []string{"get", "list"}}
	metricsNodes = Resource{Name: "nodes", Singular: "", Kind: "NodeMetrics", Group: "metrics.k8s.io", Version: "v1beta1", Namespaced: false, Verbs: []string{"get", "list"}}
)

// resolveKubectl resolves kubectl's arguments (after "kubectl") into c.
func resolveKubectl(c *Command, args []word) {
	k, why := parseKubectl(args)
	if why != "" {
		c.Reason = why
		return
	}
	if len(k.sub) == 0 {
		c.Reason = "no subcommand"
		return
	}
	for _, f := range []string{"context", "kubeconfig", "server", "token", "user", "cluster", "as", "as-group", "as-uid"} {
		if k.has(f) {
			c.Reason = "--" + f + " talks to another cluster or as another identity than the run's"
			return
		}
	}
	if k.has("raw") {
		c.Reason = "--raw requests a URL, not a resource"
		return
	}
	if dr, ok := k.flag("dry-run"); ok && (dr.val == "client" || dr.val == "true") && k.sub[0] != "get" {
		// client-side dry run sends nothing that changes; it still reads as the builder does.
		_ = dr
	}
	r := &resolver{k: &k}
	h, ok := subcommands[k.sub[0]]
	if !ok {
		if strings.Contains(k.sub[0], dynamicMark) {
			c.Reason = "the subcommand is a variable"
		} else {
			c.Reason = "`kubectl " + k.sub[0] + "` is not a kubectl command skillc knows (a plugin?): its API requests are not known"
		}
		return
	}
	if why := h(r); why != "" {
		c.Reason = why
		return
	}
	c.Analysed = true
	c.Requests = r.reqs
	sortRequests(c.Requests)
}

func sortRequests(rs []Request) {
	slices.SortFunc(rs, func(a, b Request) int {
		return strings.Compare(a.key(), b.key())
	})
}

func (q Request) key() string {
	return string(q.Scope) + "\x00" + q.Group + "\x00" + q.Resource + "\x00" + q.Subresource + "\x00" + q.Verb
}

type handler func(r *resolver) string

var subcommands map[string]handler

func init() {
	subcommands = map[string]handler{
		"get":           getCmd,
		"describe":      describeCmd,
		"logs":          logsCmd,
		"api-resources": discoveryOnly,
		"api-versions":  discoveryOnly,
		"explain":       discoveryOnly,
		"version":       discoveryOnly,
		"config":        discoveryOnly,
		"completion":    discoveryOnly,
		"top":           topCmd,
		"events":        eventsCmd,
		"auth":          authCmd,
		"rollout":       rolloutCmd,
		"scale":         scaleCmd,
		"delete":        deleteCmd,
		"label":         patchLike,
		"annotate":      patchLike,
		"patch":         patchLike,
		"edit":          patchLike,
		"set":           setCmd,
		"apply":         fromFiles,
		"replace":       fromFiles,
		"diff":          fromFiles,
		"create":        createCmd,
		"cordon":        cordonCmd,
		"uncordon":      cordonCmd,
		"taint":         cordonCmd,
		"drain":         drainCmd,
		"exec":          podConnect("exec"),
		"attach":        podConnect("attach"),
		"port-forward":  podConnect("portforward"),
		"cp":            cpCmd,
		"debug":         debugCmd,
		"wait":          waitCmd,
		"run":           runCmd,
		"expose":        exposeCmd,
		"cluster-info":  clusterInfoCmd,
		"kustomize":     discoveryOnly, // builds locally
		"options":       discoveryOnly,
		"plugin":        discoveryOnly, // lists plugins on the PATH
		"autoscale":     autoscaleCmd,
		"proxy": func(*resolver) string {
			return "`kubectl proxy` forwards whatever requests reach it: they are not known"
		},
	}
}

// discoveryOnly: the command reads discovery (or nothing) and no resource: every authenticated
// user may read discovery (system:discovery), so it needs no rule.
func discoveryOnly(*resolver) string { return "" }

func getCmd(r *resolver) string {
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	watch := r.k.boolFlag("watch") || r.k.boolFlag("watch-only")
	for _, t := range ts {
		if t.named && !r.k.has("selector") {
			r.add("get", t.res, "")
		} else {
			r.add("list", t.res, "")
		}
		if watch {
			r.add("watch", t.res, "")
		}
	}
	return ""
}

func describeCmd(r *resolver) string {
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	events := r.k.boolFlagOr("show-events", true)
	for _, t := range ts {
		if !t.named || r.k.has("selector") {
			r.add("list", t.res, "")
		}
		r.add("get", t.res, "") // the builder gets each object, then its describer again
		describeImplicit(r, t.res, events)
	}
	return ""
}

// noEvents are the kinds whose describer shows no events.
var noEvents = set("/secrets", "/limitranges", "/resourcequotas", "/namespaces", "rbac.authorization.k8s.io/roles",
	"rbac.authorization.k8s.io/clusterroles", "rbac.authorization.k8s.io/rolebindings",
	"rbac.authorization.k8s.io/clusterrolebindings", "networking.k8s.io/networkpolicies")

// describeImplicit adds what kubectl's describer for res reads besides the object
// (k8s.io/kubectl/pkg/describe, v0.37.2).
func describeImplicit(r *resolver, res Resource, events bool) {
	kind := res.Group + "/" + res.Name
	if events && !noEvents[kind] {
		// searchEvents lists core events in the object's namespace; a cluster-scoped object's
		// events are listed across all namespaces. Errors are ignored, except ConfigMap's.
		r.addScoped("list", must("events"), "", r.scopeOf(res), kind != "/configmaps")
	}
	pods := must("pods")
	switch kind {
	case "apps/deployments":
		r.optional("list", must("replicasets.apps"), "")
	case "apps/replicasets", "apps/statefulsets", "apps/daemonsets", "/replicationcontrollers":
		r.add("list", pods, "")
	case "/persistentvolumeclaims":
		r.add("list", pods, "")
	case "/nodes":
		// Pods on the node, across namespaces (a 403 is tolerated); the node's lease in
		// kube-node-lease; its ResourceSlices.
		r.addScoped("list", pods, "", ScopeCluster, true)
		r.addScoped("get", must("leases.coordination.k8s.io"), "", ScopeCluster, true)
		if rs, ok := Lookup("resourceslices.resource.k8s.io"); ok {
			r.addScoped("list", rs, "", ScopeCluster, true)
		}
	case "/namespaces":
		// Quotas and limit ranges of the namespace described: its name is the argument.
		scope := ScopeCluster
		if len(r.k.pos) > 1 && r.k.pos[1].dynamic() {
			scope = ScopeNamespace
		}
		r.addScoped("list", must("resourcequotas"), "", scope, false)
		r.addScoped("list", must("limitranges"), "", scope, false)
	case "/services":
		r.optional("list", must("endpointslices.discovery.k8s.io"), "")
	case "networking.k8s.io/ingresses":
		r.optional("list", must("endpointslices.discovery.k8s.io"), "")
		r.optional("get", must("services"), "")
	}
}

func logsCmd(r *resolver) string {
	pods := must("pods")
	if r.k.has("selector") {
		r.add("list", pods, "")
		r.add("get", pods, "log")
		return ""
	}
	ts, why := r.k.targets("pods")
	if why != "" {
		return why
	}
	t := ts[0]
	r.add("get", t.res, "")
	if t.res.Group != "" || t.res.Name != "pods" {
		// The owner's selector: list its pods (watch when none exists yet), read the first.
		r.add("list", pods, "")
		r.add("watch", pods, "")
	}
	r.add("get", pods, "log")
	return ""
}

// named: a builder command's objects: GET each named one, LIST when selected by -l, --all or -A.
func (r *resolver) read(t target) {
	if t.named && !r.k.has("selector") && !r.k.boolFlag("all") {
		r.add("get", t.res, "")
	} else {
		r.add("list", t.res, "")
	}
}

func topCmd(r *resolver) string {
	if len(r.k.sub) < 2 {
		return "`kubectl top` needs pod or node"
	}
	named := len(r.k.pos) > 0
	verb := "list"
	if named {
		verb = "get"
	}
	switch r.k.sub[1] {
	case "pod", "pods", "po":
		r.add(verb, metricsPods, "")
		// No metrics yet: kubectl reads the pods to say why.
		r.add(verb, must("pods"), "")
	case "node", "nodes", "no":
		r.add(verb, metricsNodes, "")
		r.add(verb, must("nodes"), "")
	default:
		return "`kubectl top " + printable(r.k.sub[1]) + "` is not pod or node"
	}
	return ""
}

func eventsCmd(r *resolver) string {
	ev := must("events")
	if r.k.boolFlag("watch") {
		r.add("watch", ev, "") // kubectl events -w watches without listing first
	} else {
		r.add("list", ev, "")
	}
	return ""
}

func authCmd(r *resolver) string {
	if len(r.k.sub) < 2 {
		return "`kubectl auth` needs a subcommand"
	}
	switch r.k.sub[1] {
	case "can-i":
		if r.k.boolFlag("list") {
			r.addScoped("create", must("selfsubjectrulesreviews.authorization.k8s.io"), "", ScopeCluster, false)
		} else {
			r.addScoped("create", must("selfsubjectaccessreviews.authorization.k8s.io"), "", ScopeCluster, false)
		}
	case "whoami":
		r.addScoped("create", must("selfsubjectreviews.authentication.k8s.io"), "", ScopeCluster, false)
	default:
		return "`kubectl auth " + printable(r.k.sub[1]) + "`: its API requests are not known"
	}
	return ""
}

func rolloutCmd(r *resolver) string {
	if len(r.k.sub) < 2 {
		return "`kubectl rollout` needs a subcommand"
	}
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	for _, t := range ts {
		r.read(t)
		kind := t.res.Group + "/" + t.res.Name
		history := func() {
			switch kind {
			case "apps/deployments":
				r.add("get", t.res, "")
				r.add("list", must("replicasets.apps"), "")
			case "apps/daemonsets", "apps/statefulsets":
				r.add("get", t.res, "")
				r.add("list", must("controllerrevisions.apps"), "")
			}
		}
		switch r.k.sub[1] {
		case "status":
			// A ListWatch with client-go's watch-list semantics: one watch streams the
			// current state, no list (seen in the API server's audit log, v1.37).
			r.add("watch", t.res, "")
		case "history":
			history()
		case "undo":
			history()
			r.add("patch", t.res, "")
		case "restart", "pause", "resume":
			r.add("patch", t.res, "")
		default:
			return "`kubectl rollout " + printable(r.k.sub[1]) + "`: its API requests are not known"
		}
	}
	return ""
}

func scaleCmd(r *resolver) string {
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	for _, t := range ts {
		r.read(t)
		if r.k.has("current-replicas") || r.k.has("resource-version") {
			r.add("get", t.res, "scale")
			r.add("update", t.res, "scale")
		} else {
			r.add("patch", t.res, "scale")
		}
		if tm, ok := r.k.flag("timeout"); ok && tm.val != "0" && tm.val != "0s" {
			r.add("get", t.res, "scale")
		}
	}
	return ""
}

func deleteCmd(r *resolver) string {
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	wait := r.k.boolFlagOr("wait", true)
	for _, t := range ts {
		if !t.named || r.k.has("selector") || r.k.boolFlag("all") || r.k.has("field-selector") {
			r.add("list", t.res, "")
		}
		r.add("delete", t.res, "")
		if wait {
			// kubectl waits for the deletion: a get, and a watch (watch-list) while the object
			// is still there; a 403 there is ignored.
			r.optional("get", t.res, "")
			r.optional("watch", t.res, "")
		}
	}
	return ""
}

// patchLike: label, annotate, patch, edit: read each object, then patch it. --local changes a
// file's objects without the server; label/annotate --list only read.
func patchLike(r *resolver) string {
	if r.k.sub[0] == "label" || r.k.sub[0] == "annotate" {
		r.k.dropAssignments()
	}
	if r.k.boolFlag("local") {
		return ""
	}
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	readOnly := (r.k.sub[0] == "label" || r.k.sub[0] == "annotate") && r.k.boolFlag("list")
	for _, t := range ts {
		r.read(t)
		if !readOnly {
			r.add("patch", t.res, "")
		}
	}
	return ""
}

// dropAssignments removes KEY=VALUE and KEY- arguments (labels, annotations, images, env): they
// follow the objects and name no resource.
func (k *kcmd) dropAssignments() {
	var keep []word
	for i, p := range k.pos {
		static := strings.SplitN(p.val, dynamicMark, 2)[0]
		if i > 0 && (strings.Contains(static, "=") || strings.HasSuffix(p.val, "-") && !strings.Contains(p.val, "/")) {
			continue
		}
		keep = append(keep, p)
	}
	k.pos = keep
}

func setCmd(r *resolver) string {
	if len(r.k.sub) < 2 {
		return "`kubectl set` needs a subcommand"
	}
	switch r.k.sub[1] {
	case "image", "resources", "env", "selector", "serviceaccount", "subject":
	default:
		return "`kubectl set " + printable(r.k.sub[1]) + "`: its API requests are not known"
	}
	r.k.dropAssignments()
	if r.k.sub[1] == "serviceaccount" && len(r.k.pos) > 1 {
		r.k.pos = r.k.pos[:len(r.k.pos)-1] // the service account's name
	}
	if r.k.boolFlag("local") {
		return ""
	}
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	for _, t := range ts {
		r.read(t)
		r.add("patch", t.res, "")
	}
	return ""
}

func fromFiles(r *resolver) string {
	return "`kubectl " + r.k.sub[0] + "` takes its objects from files (-f/-k): their types are not shown"
}

// createKinds are `kubectl create KIND` generators and the resource each creates.
var createKinds = map[string]string{
	"clusterrole": "clusterroles.rbac.authorization.k8s.io", "clusterrolebinding": "clusterrolebindings.rbac.authorization.k8s.io",
	"configmap": "configmaps", "cm": "configmaps", "cronjob": "cronjobs.batch", "cj": "cronjobs.batch",
	"deployment": "deployments.apps", "deploy": "deployments.apps", "ingress": "ingresses.networking.k8s.io",
	"ing": "ingresses.networking.k8s.io", "job": "jobs.batch", "namespace": "namespaces", "ns": "namespaces",
	"poddisruptionbudget": "poddisruptionbudgets.policy", "pdb": "poddisruptionbudgets.policy",
	"priorityclass": "priorityclasses.scheduling.k8s.io", "pc": "priorityclasses.scheduling.k8s.io",
	"quota": "resourcequotas", "resourcequota": "resourcequotas", "role": "roles.rbac.authorization.k8s.io",
	"rolebinding": "rolebindings.rbac.authorization.k8s.io", "secret": "secrets", "service": "services",
	"svc": "services", "serviceaccount": "serviceaccounts", "sa": "serviceaccounts",
}

func createCmd(r *resolver) string {
	if len(r.k.sub) < 2 {
		return "`kubectl create` takes its objects from files (-f/-k): their types are not shown"
	}
	if r.k.sub[1] == "token" {
		r.add("create", must("serviceaccounts"), "token")
		return ""
	}
	name, ok := createKinds[r.k.sub[1]]
	if !ok {
		return "`kubectl create " + printable(r.k.sub[1]) + "`: its API requests are not known"
	}
	res := must(name)
	if from, ok := r.k.flag("from"); ok && res.Name == "jobs" {
		typ, _, _ := strings.Cut(from.val, "/")
		src, why := lookupType(typ)
		if why != "" {
			return why
		}
		r.add("get", src, "")
	}
	if v, ok := r.k.flag("dry-run"); ok && v.val != "none" && v.val != "false" && v.val != "server" {
		return ""
	}
	r.add("create", res, "")
	return ""
}

// cordonCmd: cordon, uncordon and taint read the node and patch it.
func cordonCmd(r *resolver) string {
	nodes := must("nodes")
	if len(r.k.pos) == 0 && !r.k.has("selector") && !r.k.boolFlag("all") {
		return "no node named"
	}
	if r.k.sub[0] == "taint" && len(r.k.pos) > 0 && !r.k.pos[0].dynamic() {
		if res, ok := Lookup(strings.SplitN(r.k.pos[0].val, "/", 2)[0]); !ok || res.Name != "nodes" {
			return "`kubectl taint` applies to nodes only"
		}
	}
	if r.k.has("selector") || r.k.boolFlag("all") {
		r.add("list", nodes, "")
	} else {
		r.add("get", nodes, "")
	}
	r.add("patch", nodes, "")
	return ""
}

func drainCmd(r *resolver) string {
	if st := cordonCmd(r); st != "" {
		return st
	}
	pods := must("pods")
	// The node's pods, in every namespace: a ClusterRole.
	r.addScoped("list", pods, "", ScopeCluster, false)
	r.addScoped("get", must("daemonsets.apps"), "", ScopeCluster, false)
	if r.k.boolFlag("disable-eviction") {
		r.addScoped("delete", pods, "", ScopeCluster, false)
	} else {
		r.addScoped("create", pods, "eviction", ScopeCluster, false)
	}
	r.addScoped("get", pods, "", ScopeCluster, false) // waits for each pod to be gone
	return ""
}

// podTarget resolves the pod a connecting command (exec, attach, port-forward) reaches: a pod
// by name, or TYPE/NAME whose first pod kubectl picks by the owner's selector (listing, and
// watching while none exists).
func (r *resolver) podTarget(getPod bool) string {
	pods := must("pods")
	if len(r.k.pos) > 1 {
		r.k.pos = r.k.pos[:1] // then ports (port-forward) or the command (exec without --)
	}
	ts, why := r.k.targets("pods")
	if why != "" {
		return why
	}
	t := ts[0]
	r.add("get", t.res, "")
	if t.res.Group != "" || t.res.Name != "pods" {
		r.add("list", pods, "")
		r.add("watch", pods, "")
		if getPod {
			r.add("get", pods, "") // port-forward checks the chosen pod is running
		}
	}
	return ""
}

// podConnect: exec, attach and port-forward open a stream on a pod subresource. Over WebSocket
// (kubectl's default) the request is a GET that the API server also authorizes as create.
func podConnect(sub string) handler {
	return func(r *resolver) string {
		if why := r.podTarget(sub == "portforward"); why != "" {
			return why
		}
		r.add("get", must("pods"), sub)
		r.add("create", must("pods"), sub)
		return ""
	}
}

// cpCmd: kubectl cp runs tar in the container through exec.
func cpCmd(r *resolver) string {
	if len(r.k.pos) != 2 {
		return "kubectl cp needs a source and a destination"
	}
	pods := must("pods")
	remote := 0
	for _, p := range r.k.pos {
		static := strings.SplitN(p.val, dynamicMark, 2)[0]
		loc, _, ok := strings.Cut(p.val, ":")
		if !ok || strings.HasPrefix(static, "/") || strings.HasPrefix(static, ".") {
			continue
		}
		remote++
		scope := r.nsScope()
		if ns, _, hasNS := strings.Cut(loc, "/"); hasNS {
			scope = ScopeNamespace
			if !strings.Contains(ns, dynamicMark) {
				scope = ScopeCluster
			}
		}
		r.addScoped("get", pods, "", scope, false)
		r.addScoped("get", pods, "exec", scope, false)
		r.addScoped("create", pods, "exec", scope, false)
	}
	if remote == 0 {
		return "kubectl cp names no pod (POD:PATH)"
	}
	return ""
}

func debugCmd(r *resolver) string {
	pods := must("pods")
	if len(r.k.pos) == 0 {
		return "no object named"
	}
	first := strings.SplitN(r.k.pos[0].val, dynamicMark, 2)[0]
	attach := r.k.boolFlag("attach") || r.k.boolFlag("stdin")
	if typ, _, ok := strings.Cut(first, "/"); ok {
		res, why := lookupType(typ)
		if why != "" {
			return why
		}
		if res.Name == "nodes" && res.Group == "" {
			// A privileged pod on the node, in the namespace -n names.
			r.add("get", res, "")
			r.add("create", pods, "")
			if attach {
				r.add("watch", pods, "") // waits for the container (watch-list: no list)
				r.add("get", pods, "attach")
				r.add("create", pods, "attach")
			}
			return ""
		}
		if res.Name != "pods" || res.Group != "" {
			return "kubectl debug TYPE/NAME: only pods and nodes are known"
		}
	}
	r.add("get", pods, "")
	if r.k.has("copy-to") {
		r.add("create", pods, "")
		if r.k.boolFlag("replace") {
			r.add("delete", pods, "")
		}
	} else {
		r.add("patch", pods, "ephemeralcontainers")
	}
	if attach {
		r.add("watch", pods, "") // waits for the container (watch-list: no list)
		r.add("get", pods, "attach")
		r.add("create", pods, "attach")
	}
	return ""
}

func waitCmd(r *resolver) string {
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	for _, t := range ts {
		r.read(t)
		r.add("get", t.res, "")
		r.add("watch", t.res, "") // watch-list semantics: no list
	}
	return ""
}

func runCmd(r *resolver) string {
	pods := must("pods")
	r.add("create", pods, "")
	if r.k.boolFlag("stdin") || r.k.boolFlag("attach") {
		r.add("watch", pods, "")
		r.add("get", pods, "attach")
		r.add("create", pods, "attach")
	}
	if v, ok := r.k.flag("rm"); ok && v.val != "false" {
		r.add("delete", pods, "")
	}
	return ""
}

func exposeCmd(r *resolver) string {
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	for _, t := range ts {
		r.read(t)
	}
	r.add("create", must("services"), "")
	return ""
}

// clusterInfoCmd lists the kube-system services labelled as cluster services: another namespace.
func clusterInfoCmd(r *resolver) string {
	if len(r.k.sub) > 1 && r.k.sub[1] == "dump" {
		return "`kubectl cluster-info dump` reads many resources across namespaces: not analysed"
	}
	r.addScoped("list", must("services"), "", ScopeCluster, false)
	return ""
}

// autoscaleCmd reads the target and creates its HorizontalPodAutoscaler.
func autoscaleCmd(r *resolver) string {
	ts, why := r.k.targets("")
	if why != "" {
		return why
	}
	for _, t := range ts {
		r.read(t)
	}
	r.add("create", must("horizontalpodautoscalers.autoscaling"), "")
	return ""
}
