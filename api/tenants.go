package api

import (
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/skillc-dev/skillc/diag"
)

// Tenant is a team the platform gives a part of the repository and some namespaces, as Argo CD's
// AppProject gives a project its source repositories and destinations and Flux's multi-tenancy
// lockdown confines a tenant's Kustomizations to its namespaces: a tenant's instances, runs,
// schedules and private packs must come from files under its paths and target only its
// namespaces (TEN-01).
type Tenant struct {
	Name string `json:"name"`
	// Paths are globs relative to the CompilerConfig's folder ("tenants/team-a", "teams/*/a"); a
	// file is the tenant's when it or a folder above it matches one; "**" matches any number of
	// folders.
	Paths []string `json:"paths"`
	// Namespaces the tenant owns: names, or path.Match patterns ("team-a-*").
	Namespaces []string `json:"namespaces"`
	// PodSecurity is the Pod Security level its namespaces enforce
	// (pod-security.kubernetes.io/enforce); a run whose pod that level would refuse never starts
	// (TEN-03). Empty: not declared here.
	PodSecurity string `json:"podSecurity,omitempty"`
}

// PodSecurityLevels are the Pod Security Standards' levels, as the enforce label spells them.
var PodSecurityLevels = []string{"privileged", "baseline", "restricted"}

// SystemNamespaces are the control plane's own: nothing is ever emitted for a run there (TEN-02).
var SystemNamespaces = []string{"kube-system", "kube-public", "kube-node-lease"}

// DefaultProtectedNamespaces are the platform's namespaces a tenant's run must not target unless
// the config says otherwise: the catalog's, Argo CD's and Flux's.
func DefaultProtectedNamespaces(catalog string) []string {
	return []string{catalog, "argocd", "flux-system"}
}

// validateTenants checks spec.tenants and spec.protectedNamespaces.
func (c *CompilerConfig) validateTenants() diag.Diagnostics {
	s, src := &c.Spec, c.Src
	var diags diag.Diagnostics
	names := map[string]int{}
	owner := map[string]string{} // literal namespace → tenant
	for i, t := range s.Tenants {
		field := fmt.Sprintf("spec.tenants[%d]", i)
		if t.Name == "" {
			diags = append(diags, src.Diag(field+".name", "required"))
		} else if j, dup := names[t.Name]; dup {
			diags = append(diags, src.Diag(field+".name", "tenant %q is defined twice (also spec.tenants[%d])", t.Name, j))
		} else {
			names[t.Name] = i
		}
		if len(t.Paths) == 0 {
			diags = append(diags, src.Diag(field+".paths", "tenant %q: required: the folders its sources live in", t.Name))
		}
		for j, p := range t.Paths {
			if msg := checkTenantPath(p); msg != "" {
				diags = append(diags, src.Diag(fmt.Sprintf("%s.paths[%d]", field, j), "tenant %q: %s", t.Name, msg))
			}
		}
		if len(t.Namespaces) == 0 {
			diags = append(diags, src.Diag(field+".namespaces", "tenant %q: required: the namespaces its runs may target", t.Name))
		}
		for j, ns := range t.Namespaces {
			f := fmt.Sprintf("%s.namespaces[%d]", field, j)
			if _, err := path.Match(ns, ""); err != nil || ns == "" {
				diags = append(diags, src.Diag(f, "tenant %q: invalid namespace pattern %q", t.Name, ns))
				continue
			}
			for _, sys := range slices.Concat(SystemNamespaces, s.ProtectedNamespaces) {
				if ok, _ := path.Match(ns, sys); ok {
					diags = append(diags, src.Diag(f, "tenant %q: %q covers the protected namespace %q: no tenant's run may land there", t.Name, ns, sys))
					break
				}
			}
			if strings.ContainsAny(ns, "*?[") {
				continue
			}
			if other, dup := owner[ns]; dup && other != t.Name {
				diags = append(diags, src.Diag(f, "tenant %q: namespace %q is also tenant %q's: a namespace belongs to one tenant", t.Name, ns, other))
			}
			owner[ns] = t.Name
		}
		if t.PodSecurity != "" && !slices.Contains(PodSecurityLevels, t.PodSecurity) {
			diags = append(diags, src.Diag(field+".podSecurity", "tenant %q: must be one of %v, got %q", t.Name, PodSecurityLevels, t.PodSecurity))
		}
	}
	for i, ns := range s.ProtectedNamespaces {
		if ns == s.CatalogNamespace {
			continue // checked as spec.catalogNamespace (and the default list holds it)
		}
		for _, msg := range validation.IsDNS1123Label(ns) {
			diags = append(diags, src.Diag(fmt.Sprintf("spec.protectedNamespaces[%d]", i), "invalid namespace %q: %s", ns, msg))
		}
	}
	if c.Src.File != "" && len(s.Tenants) > 0 {
		// The platform's config under a tenant's path would be the tenant's to change.
		if t := s.TenantOfFile(filepath.Dir(c.Src.File), c.Src.File); len(t) > 0 {
			diags = append(diags, src.Diag("spec.tenants", "the CompilerConfig %s is under tenant %q's paths: the platform's config must live outside every tenant's folders", c.Src.File, t[0].Name))
		}
	}
	return diags
}

func checkTenantPath(p string) string {
	switch {
	case p == "":
		return "empty path"
	case path.IsAbs(p) || filepath.IsAbs(p):
		return fmt.Sprintf("path %q must be relative to the CompilerConfig's folder", p)
	case slices.Contains(strings.Split(p, "/"), ".."):
		return fmt.Sprintf("path %q must not contain \"..\"", p)
	case strings.Contains(p, `\`):
		return fmt.Sprintf("path %q: use / between folders", p)
	}
	if _, err := path.Match(p, ""); err != nil {
		return fmt.Sprintf("path %q: %v", p, err)
	}
	return ""
}

// TenantOfFile lists the tenants whose paths hold file (none: the platform's). base is the folder
// tenant paths are relative to: the CompilerConfig's. A file outside base is no tenant's.
func (s *ConfigSpec) TenantOfFile(base, file string) []*Tenant {
	rel, ok := relativeTo(base, file)
	if !ok {
		return nil
	}
	var out []*Tenant
	for i := range s.Tenants {
		t := &s.Tenants[i]
		if slices.ContainsFunc(t.Paths, func(p string) bool { return underGlob(p, rel) }) {
			out = append(out, t)
		}
	}
	return out
}

// OwnsNamespace reports whether ns is one of the tenant's namespaces.
func (t *Tenant) OwnsNamespace(ns string) bool {
	return slices.ContainsFunc(t.Namespaces, func(p string) bool {
		ok, _ := path.Match(p, ns)
		return ok
	})
}

// relativeTo is file relative to base, with / between folders; false when it is not below base.
func relativeTo(base, file string) (string, bool) {
	ab, err1 := filepath.Abs(base)
	af, err2 := filepath.Abs(file)
	if err1 != nil || err2 != nil {
		return "", false
	}
	rel, err := filepath.Rel(ab, af)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// underGlob reports whether rel (a/b/c.yaml) is matched by pattern or lies in a folder it matches.
// Each segment of pattern is a path.Match pattern; "**" matches any number of segments.
func underGlob(pattern, rel string) bool {
	pat := strings.Split(strings.Trim(path.Clean(pattern), "/"), "/")
	segs := strings.Split(rel, "/")
	return matchPrefix(pat, segs)
}

// matchPrefix: pat matches some prefix of segs (a folder above the file, or the file itself).
func matchPrefix(pat, segs []string) bool {
	if len(pat) == 0 {
		return true
	}
	if pat[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if matchPrefix(pat[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if pat[0] == "." {
		return matchPrefix(pat[1:], segs)
	}
	if len(segs) == 0 {
		return false
	}
	ok, _ := path.Match(pat[0], segs[0])
	return ok && matchPrefix(pat[1:], segs[1:])
}
