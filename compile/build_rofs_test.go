package compile

import (
	"slices"
	"strconv"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// TestSidecarReadOnlyRoot: a pack's task sidecar gets a read-only root filesystem, /tmp and HOME on
// a volume of its own, unless the pack opts out (spec.sidecar.readOnlyRootFilesystem: false) or
// sets HOME itself; the origins point the root's mode, HOME and its mount at the pack's field.
func TestSidecarReadOnlyRoot(t *testing.T) {
	tests := []struct {
		name     string
		sidecar  string
		readOnly bool
		home     string // HOME in the sidecar's env ("" none)
		homeVol  bool   // skill-home-p in the pod and mounted at /home/skill
		origin   int    // the line .securityContext.readOnlyRootFilesystem points at
	}{
		{"default", "image: reg/x:1", true, "/home/skill", true, 6},
		{"written true", "image: reg/x:1\nreadOnlyRootFilesystem: true", true, "/home/skill", true, 8},
		{"opted out", "image: reg/x:1\nreadOnlyRootFilesystem: false", false, "", false, 8},
		{"the pack's own HOME", "image: reg/x:1\nenv: [{name: HOME, value: /workspace/home}]", true, "/workspace/home", false, 6},
		{"host access", "image: reg/x:1\nhostAccess: {enabled: true, mounts: [{hostPath: /proc, mountPath: /host/proc}]}", true, "/home/skill", true, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, diags := compileYAML(t, Options{}, pack(tt.sidecar), testInstance, testRun)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			job := find[*batchv1.Job](t, res, "Job", "r1")
			spec := job.Spec.Template.Spec
			c := findContainer(t, spec, "skill-p")
			if sc := c.SecurityContext; sc.ReadOnlyRootFilesystem == nil || *sc.ReadOnlyRootFilesystem != tt.readOnly {
				t.Errorf("readOnlyRootFilesystem = %v, want %v", sc.ReadOnlyRootFilesystem, tt.readOnly)
			}
			var homes []string
			for _, e := range c.Env {
				if e.Name == "HOME" {
					homes = append(homes, e.Value)
				}
			}
			if want := []string{tt.home}; tt.home == "" && len(homes) > 0 || tt.home != "" && !slices.Equal(homes, want) {
				t.Errorf("HOME = %q, want %q", homes, tt.home)
			}
			vol := slices.IndexFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == "skill-home-p" })
			mount := slices.IndexFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "skill-home-p" })
			if (vol >= 0) != tt.homeVol || (mount >= 0) != tt.homeVol {
				t.Fatalf("home volume at %d, mounted at %d; want both: %v", vol, mount, tt.homeVol)
			}
			if tt.readOnly {
				// /tmp stays writable: the pod's tmp, as every sidecar mounts it.
				if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == "tmp" && m.MountPath == "/tmp" && !m.ReadOnly }) {
					t.Errorf("no writable /tmp: %v", c.VolumeMounts)
				}
			}
			from := res.OriginsOf(job)
			base := JobPodSpecPath + ".initContainers[0]"
			org, _ := from.Lookup(base + ".securityContext.readOnlyRootFilesystem")
			if org.Field != "spec.sidecar.readOnlyRootFilesystem" || org.Line != tt.origin {
				t.Errorf("readOnlyRootFilesystem's origin %v, want in.yaml:%d spec.sidecar.readOnlyRootFilesystem", org, tt.origin)
			}
			if !tt.homeVol {
				return
			}
			if v := spec.Volumes[vol]; v.EmptyDir == nil || v.EmptyDir.SizeLimit.String() != "128Mi" {
				t.Errorf("home volume %+v, want an emptyDir of 128Mi", v)
			}
			if m := c.VolumeMounts[mount]; m.MountPath != "/home/skill" || m.ReadOnly {
				t.Errorf("home mount %+v", m)
			}
			env := slices.IndexFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "HOME" })
			for _, p := range []string{
				base + ".env[" + strconv.Itoa(env) + "]",
				base + ".volumeMounts[" + strconv.Itoa(mount) + "]",
				JobPodSpecPath + ".volumes[" + strconv.Itoa(vol) + "]",
			} {
				if org, _ := from.Lookup(p); org.Field != "spec.sidecar.readOnlyRootFilesystem" {
					t.Errorf("%s: origin %v, want spec.sidecar.readOnlyRootFilesystem", p, org)
				}
			}
		})
	}
}

// TestSidecarReadOnlyRootRefused: what collides with the sidecar's HOME is bad input that says
// how to resolve it.
func TestSidecarReadOnlyRootRefused(t *testing.T) {
	tests := []struct {
		name, sidecar, field, want string
	}{
		{"a mount at HOME", "image: reg/x:1\nvolumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: /home/skill}]",
			"spec.sidecar.volumeMounts[0].mountPath", `SkillPack "p" mounts a volume at /home/skill in container skill-p, where skillc keeps the sidecar's HOME on its read-only root filesystem: mount it elsewhere, set HOME in sidecar.env, or set sidecar.readOnlyRootFilesystem: false`},
		{"the secret at HOME", "image: reg/x:1\nsecretRef: creds\nsecretMountPath: /home/skill",
			"spec.sidecar.secretMountPath", `SkillPack "p" mounts a volume at /home/skill in container skill-p, where skillc keeps`},
		{"a volume under skillc's name", "image: reg/x:1\nvolumes: [{name: skill-home-q, emptyDir: {}}]",
			"spec.sidecar.volumes[0].name", `volume name "skill-home-q" is reserved: names starting with "skill-home-" are skillc's`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := compileYAML(t, Options{}, pack(tt.sidecar), testInstance, testRun)
			wantDiag(t, diags, 0, tt.field, tt.want)
		})
	}
	// Opted out, the path is the pack's to use.
	if _, diags := compileYAML(t, Options{}, pack("image: reg/x:1\nreadOnlyRootFilesystem: false\nvolumes: [{name: data, emptyDir: {}}]\nvolumeMounts: [{name: data, mountPath: /home/skill}]"), testInstance, testRun); diags.HasErrors() {
		t.Errorf("opted out, a mount at /home/skill is refused: %v", diags)
	}
}
