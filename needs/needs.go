// Package needs reads the commands a skill's text tells the agent to run and resolves each to the
// Kubernetes API requests kubectl makes for it, so a pack's grants can be judged by what its
// skills use: extraction (Markdown code blocks and spans, parsed as shell), resolution (through a
// discovery table generated from a real API server), and the minimal RBAC rules that allow them.
package needs

import "strconv"

// Scope says which binding a request needs under skillc's model: the run's Role (bound in the
// run's namespace) or a ClusterRole (clusterRBAC).
type Scope string

const (
	// ScopeNamespace is a request in the run's namespace: no -n, or -n with a variable or a
	// placeholder ($NAMESPACE, <ns>), which the agent fills with the run's namespace.
	ScopeNamespace Scope = "namespace"
	// ScopeCluster is a cluster-scoped resource (nodes, namespaces), a namespaced resource across
	// all namespaces (-A), or a namespaced resource in a namespace written literally (-n
	// kube-system): skillc's Roles are bound only in the run's namespace, so that needs clusterRBAC.
	ScopeCluster Scope = "cluster"
)

// Request is one API request kubectl makes: the RBAC attributes the authorizer checks.
type Request struct {
	Verb        string `json:"verb"`
	Group       string `json:"group"`
	Resource    string `json:"resource"`
	Subresource string `json:"subresource"`
	Scope       Scope  `json:"scope"`
	// Optional: kubectl goes on when this request is refused (describe's events, delete's wait),
	// so a 403 makes the output incomplete, not the command fail. Still part of what the command
	// needs: Rules includes it.
	Optional bool `json:"optional,omitempty"`
}

// Command is one command found in a skill's text, with where it was written and what it needs.
type Command struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Command string `json:"command"`
	// Analysed is true when every request the command makes is known (possibly none, as for
	// kubectl explain). A command not analysed never counts as needing nothing: Reason says why.
	Analysed bool      `json:"analysed"`
	Reason   string    `json:"reason"`
	Requests []Request `json:"requests"`
}

// String is FILE:LINE: `command`.
func (c Command) String() string {
	return c.File + ":" + strconv.Itoa(c.Line) + ": `" + c.Command + "`"
}

// Requests is the union of the commands' requests (analysed commands only), deduplicated and
// sorted; a request both optional and required somewhere is required.
func Requests(cmds []Command) []Request {
	seen := map[Request]int{}
	var out []Request
	for _, c := range cmds {
		if !c.Analysed {
			continue
		}
		for _, r := range c.Requests {
			key := r
			key.Optional = false
			if i, ok := seen[key]; ok {
				out[i].Optional = out[i].Optional && r.Optional
				continue
			}
			seen[key] = len(out)
			out = append(out, r)
		}
	}
	sortRequests(out)
	return out
}
