package compile

import (
	"maps"

	corev1 "k8s.io/api/core/v1"

	"github.com/skillc-dev/skillc/api"
)

// Annotations of the delivery targets (SPEC §3 "Targets"). Each one is explained, with the
// behaviour of the tool that reads it, in the README's "Delivery targets" section.
const (
	// Argo CD applies a sync wave, waits until every object of it is healthy, then applies the
	// next one; a failed wave stops the sync.
	annotationArgoSyncWave = "argocd.argoproj.io/sync-wave"
	// Per-object sync options of Argo CD, comma separated.
	annotationArgoSyncOptions = "argocd.argoproj.io/sync-options"
	// Flux's kustomize-controller deletes and recreates an object carrying it when the API
	// server refuses the apply because an immutable field changed.
	annotationFluxForce = "kustomize.toolkit.fluxcd.io/force"
)

const (
	// argoWavePrerequisites is Argo CD's default wave, written out so a reviewer sees the order.
	// It is not negative: a Namespace the user keeps in the same Application (default wave 0)
	// must exist before the ServiceAccount and RBAC created in it.
	argoWavePrerequisites = "0"
	// argoWaveWorkloads is the last wave. Argo CD declares a sync successful once the last wave
	// is applied, without waiting for its health, so a long or failing run neither holds nor
	// fails the sync; in an earlier wave it would block every later one until it completed.
	argoWaveWorkloads = "1"
	// argoJobSyncOptions keeps a Job whose spec changed in Git (its pod template is immutable)
	// from failing the sync: Force=true makes the client-side apply delete and recreate the Job
	// only when the API server refuses the patch, never when it is unchanged (so a finished
	// run is not re-run by the next sync). Force cannot be combined with server-side apply
	// (kubectl refuses "--force cannot be used with --server-side"), hence
	// ServerSideApply=false for an Application that enables it. Replace=true is deliberately
	// absent: with it Argo CD recreates the Job on every sync, re-running it.
	argoJobSyncOptions = "Force=true,ServerSideApply=false"
)

// targetAnnotations returns the annotations target adds to an object of kind, or nil.
// CronJobs need no force: their spec is mutable and updated in place.
func targetAnnotations(target api.Target, kind string) map[string]string {
	switch target {
	case api.TargetArgoCD:
		switch kind {
		case "Job":
			return map[string]string{annotationArgoSyncWave: argoWaveWorkloads, annotationArgoSyncOptions: argoJobSyncOptions}
		// A volume claim is in the workloads' wave too: Argo CD holds a wave until its objects are
		// healthy, and a claim of a WaitForFirstConsumer class (a run's workspace, a channel's
		// data) stays Pending until a pod mounts it.
		case "CronJob", "Deployment", "Service", "PersistentVolumeClaim", KindSandbox, KindSandboxClaim:
			return map[string]string{annotationArgoSyncWave: argoWaveWorkloads}
		case immutableConfigMap:
			// Like a Job's pod template, an immutable ConfigMap's data cannot be patched: Force
			// recreates it when its content changed in Git, and only then.
			return map[string]string{annotationArgoSyncWave: argoWavePrerequisites, annotationArgoSyncOptions: argoJobSyncOptions}
		case "ServiceAccount", "ConfigMap", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", KindSandboxWarmPool:
			return map[string]string{annotationArgoSyncWave: argoWavePrerequisites}
		}
	case api.TargetFlux:
		// kustomize-controller already applies in a safe order (ClusterRoles in its first stage,
		// then every object sorted by kind with Jobs and CronJobs last, all dry-run before any is
		// applied), so only the immutable Job needs something.
		if kind == "Job" || kind == immutableConfigMap {
			return map[string]string{annotationFluxForce: "enabled"}
		}
	}
	return nil
}

// immutableConfigMap is targetKind's name for a ConfigMap with immutable: true (upstream's
// sidecar-tools manifest): its data can only change by deleting and recreating it.
const immutableConfigMap = "ConfigMap/immutable"

// targetKind is the kind targetAnnotations decides on: an object's kind, or immutableConfigMap.
func targetKind(o Object) string {
	if cm, ok := o.(*corev1.ConfigMap); ok && cm.Immutable != nil && *cm.Immutable {
		return immutableConfigMap
	}
	return kindOf(o)
}

// applyTarget adds the delivery target's annotations to every object, keeping the ones it
// already has. The plain target changes nothing.
func applyTarget(target api.Target, objs []Object) {
	for _, o := range objs {
		add := targetAnnotations(target, targetKind(o))
		if add == nil {
			continue
		}
		a := o.GetAnnotations()
		if a == nil {
			a = make(map[string]string, len(add))
		}
		maps.Copy(a, add)
		o.SetAnnotations(a)
	}
}
