package compile

import (
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
)

// agentChannels is the test Agent (team/alice) with spec.channels (YAML items, indented four).
func agentChannels(channels string) string {
	return "apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: alice, namespace: team}\nspec:\n  skills: [{skillPackRef: p}]\n  channels:\n" + channels
}

func TestBuildChannels(t *testing.T) {
	tests := []struct {
		name     string
		channels string
		extra    []string // more documents
		opts     Options
		check    func(t *testing.T, res *Result)
	}{
		{
			name:     "a gateway with its Secret as env, upstream's labels and identity",
			channels: "    - {type: telegram, configRef: {secret: tg}}",
			check: func(t *testing.T, res *Result) {
				d := find[*appsv1.Deployment](t, res, "Deployment", "alice-channel-telegram")
				spec := d.Spec.Template.Spec
				c := spec.Containers[0]
				if c.Name != "channel" || c.Image != "ghcr.io/sympozium-ai/sympozium/channel-telegram:v0.10.46" || c.ImagePullPolicy != corev1.PullIfNotPresent {
					t.Errorf("container = %s %s %s", c.Name, c.Image, c.ImagePullPolicy)
				}
				if len(c.EnvFrom) != 1 || c.EnvFrom[0].SecretRef.Name != "tg" {
					t.Errorf("envFrom = %+v", c.EnvFrom)
				}
				env := envOf(c)
				if env["INSTANCE_NAME"] != "alice" || env["OTEL_SERVICE_NAME"] != "sympozium-channel-telegram" || env["EVENT_BUS_URL"] != eventBusURL {
					t.Errorf("env = %v", env)
				}
				if spec.ServiceAccountName != ChannelServiceAccount || *d.Spec.Replicas != 1 {
					t.Errorf("serviceAccount %s replicas %d", spec.ServiceAccountName, *d.Spec.Replicas)
				}
				sel := d.Spec.Selector.MatchLabels
				if len(sel) != 3 || sel[LabelChannel] != "telegram" || sel[LabelComponent] != "channel" || sel[LabelInstance] != "alice" {
					t.Errorf("selector = %v", sel)
				}
				find[Object](t, res, "ServiceAccount", ChannelServiceAccount)
			},
		},
		{
			name:     "WhatsApp: a volume claim, mounted at /data, and Recreate",
			channels: "    - {type: whatsapp}",
			check: func(t *testing.T, res *Result) {
				d := find[*appsv1.Deployment](t, res, "Deployment", "alice-channel-whatsapp")
				if d.Spec.Strategy.Type != appsv1.RecreateDeploymentStrategyType {
					t.Errorf("strategy = %q", d.Spec.Strategy.Type)
				}
				v := d.Spec.Template.Spec.Volumes[0]
				if v.PersistentVolumeClaim == nil || v.PersistentVolumeClaim.ClaimName != "alice-channel-whatsapp-data" {
					t.Errorf("volume = %+v", v)
				}
				if m := d.Spec.Template.Spec.Containers[0].VolumeMounts; len(m) != 1 || m[0].MountPath != "/data" {
					t.Errorf("mounts = %+v", m)
				}
				if len(d.Spec.Template.Spec.Containers[0].EnvFrom) != 0 {
					t.Error("envFrom without a configRef")
				}
				pvc := find[*corev1.PersistentVolumeClaim](t, res, "PersistentVolumeClaim", "alice-channel-whatsapp-data")
				if q := pvc.Spec.Resources.Requests[corev1.ResourceStorage]; q.String() != "256Mi" || pvc.Spec.AccessModes[0] != corev1.ReadWriteOnce {
					t.Errorf("claim = %+v", pvc.Spec)
				}
			},
		},
		{
			name: "Slack: the gateway's own gating as env; triggers and the deny message change nothing",
			channels: `    - type: slack
      slack: {threading: true, allowedTriggers: [mention, dm], emojiOnTrigger: eyes}
      accessControl: {allowedSenders: [U1, U2], allowedChats: [C1], denyMessage: no}
      triggers: {stopKeywords: [mute]}`,
			check: func(t *testing.T, res *Result) {
				env := envOf(find[*appsv1.Deployment](t, res, "Deployment", "alice-channel-slack").Spec.Template.Spec.Containers[0])
				want := map[string]string{"SLACK_THREADING": "true", "SLACK_ALLOWED_TRIGGERS": "mention,dm", "SLACK_ALLOWED_SENDERS": "U1,U2", "SLACK_ALLOWED_CHATS": "C1"}
				for k, v := range want {
					if env[k] != v {
						t.Errorf("%s = %q, want %q", k, env[k], v)
					}
				}
				for _, k := range []string{"SLACK_THREAD_STICKINESS", "SLACK_DENIED_SENDERS"} {
					if _, set := env[k]; set {
						t.Errorf("%s set though not asked for", k)
					}
				}
			},
		},
		{
			name:     "access lists reach only the Slack gateway",
			channels: "    - {type: telegram, accessControl: {allowedSenders: [U1]}}",
			check: func(t *testing.T, res *Result) {
				for k := range envOf(find[*appsv1.Deployment](t, res, "Deployment", "alice-channel-telegram").Spec.Template.Spec.Containers[0]) {
					if strings.HasPrefix(k, "SLACK_") {
						t.Errorf("%s on a telegram gateway", k)
					}
				}
			},
		},
		{
			name: "a channel's own volumes and mounts, appended after WhatsApp's",
			channels: `    - type: whatsapp
      volumes: [{name: creds, csi: {driver: secrets-store.csi.k8s.io}}]
      volumeMounts: [{name: creds, mountPath: /mnt/creds}]`,
			check: func(t *testing.T, res *Result) {
				spec := find[*appsv1.Deployment](t, res, "Deployment", "alice-channel-whatsapp").Spec.Template.Spec
				var vols, mounts []string
				for _, v := range spec.Volumes {
					vols = append(vols, v.Name)
				}
				for _, m := range spec.Containers[0].VolumeMounts {
					mounts = append(mounts, m.MountPath)
				}
				if !slices.Equal(vols, []string{"whatsapp-data", "creds"}) || !slices.Equal(mounts, []string{"/data", "/mnt/creds"}) {
					t.Errorf("volumes %v mounts %v", vols, mounts)
				}
			},
		},
		{
			name:     "the platform's own channel type and image; one gateway identity per namespace",
			channels: "    - {type: matrix}",
			opts: Options{Config: &api.CompilerConfig{Spec: api.ConfigSpec{Images: api.ConfigImages{
				Channels: map[string]string{"matrix": "reg.example/matrix@sha256:" + strings.Repeat("a", 64)}}}}},
			extra: []string{"apiVersion: sympozium.ai/v1alpha1\nkind: Agent\nmetadata: {name: bob, namespace: team}\nspec:\n  channels: [{type: slack}]"},
			check: func(t *testing.T, res *Result) {
				d := find[*appsv1.Deployment](t, res, "Deployment", "alice-channel-matrix")
				if img := d.Spec.Template.Spec.Containers[0].Image; !strings.HasPrefix(img, "reg.example/matrix@sha256:") {
					t.Errorf("image = %s", img)
				}
				find[*appsv1.Deployment](t, res, "Deployment", "bob-channel-slack") // the defaults stay
				n := 0
				for _, o := range res.Objects {
					if kindOf(o) == "ServiceAccount" && o.GetName() == ChannelServiceAccount {
						n++
					}
				}
				if n != 1 {
					t.Errorf("%d sympozium-channel ServiceAccounts in one namespace", n)
				}
			},
		},
		{
			name:     "the run's IPC bridge may send to the Agent's channel types only",
			channels: "    - {type: telegram}\n    - {type: slack}",
			extra:    []string{strings.Replace(testRun, "instanceRef", "agentRef", 1)},
			check: func(t *testing.T, res *Result) {
				job := find[*batchv1.Job](t, res, "Job", "r1")
				bridge := findContainer(t, job.Spec.Template.Spec, IPCBridgeContainer)
				if v, ok := envOf(bridge)["ALLOWED_OUTBOUND_CHANNELS"]; !ok || v != "telegram,slack" {
					t.Errorf("ALLOWED_OUTBOUND_CHANNELS = %q (set: %v)", v, ok)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs := append([]string{pack(""), agentChannels(tt.channels)}, tt.extra...)
			res, ds := compileYAML(t, tt.opts, docs...)
			if ds != nil {
				t.Fatal(ds)
			}
			tt.check(t, res)
		})
	}
}

// TestOutboundChannelsEmpty: an Agent without channels gets the variable, empty: its presence is
// what makes the bridge enforce the list.
func TestOutboundChannelsEmpty(t *testing.T) {
	res, ds := compileYAML(t, Options{}, pack(""), testInstance, testRun)
	if ds != nil {
		t.Fatal(ds)
	}
	bridge := findContainer(t, find[*batchv1.Job](t, res, "Job", "r1").Spec.Template.Spec, IPCBridgeContainer)
	if v, ok := envOf(bridge)["ALLOWED_OUTBOUND_CHANNELS"]; !ok || v != "" {
		t.Errorf("ALLOWED_OUTBOUND_CHANNELS = %q (set: %v), want set and empty", v, ok)
	}
}

// TestChannelConfigNotMutated: defaulting the channel images must not write into a caller's config.
func TestChannelConfigNotMutated(t *testing.T) {
	cfg := &api.CompilerConfig{Spec: api.ConfigSpec{Images: api.ConfigImages{Channels: map[string]string{"matrix": "reg.example/matrix:1"}}}}
	_, ds := Compile(nil, Options{Config: cfg})
	if ds.HasErrors() {
		t.Fatal(ds)
	}
	if len(cfg.Spec.Images.Channels) != 1 {
		t.Errorf("the caller's channel images became %v", cfg.Spec.Images.Channels)
	}
}

// TestValidateAgentKinds: the API server's checks of the kinds channels and the agent-sandbox
// backend emit, each refusing what it must.
func TestValidateAgentKinds(t *testing.T) {
	good := func() *appsv1.Deployment {
		l := map[string]string{"a": "b"}
		return &appsv1.Deployment{ObjectMeta: objectMeta("d", "ns", l), Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: l},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: l}, Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i:1"}}}},
		}}
	}
	pod := corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i:1"}}}}
	tests := []struct {
		name string
		obj  Object
		want string // a substring of the error; "" for none
	}{
		{"a good Deployment", good(), ""},
		{"a selector that selects nothing of the template", func() Object {
			d := good()
			d.Spec.Selector.MatchLabels = map[string]string{"a": "c"}
			return d
		}(), "`selector` does not match template `labels`"},
		{"a Deployment pod that does not restart", func() Object {
			d := good()
			d.Spec.Template.Spec.RestartPolicy = corev1.RestartPolicyNever
			return d
		}(), "restartPolicy"},
		{"a claim without access modes", &corev1.PersistentVolumeClaim{ObjectMeta: objectMeta("c", "ns", nil)}, "access mode"},
		{"a Sandbox name no Service can carry", &Sandbox{ObjectMeta: objectMeta("sb-"+strings.Repeat("x", 61), "ns", nil), Spec: SandboxSpec{PodTemplate: pod}}, "must be no more than 63 characters"},
		{"a Sandbox pod without containers", &Sandbox{ObjectMeta: objectMeta("sb-r", "ns", nil)}, "spec.podTemplate.spec.containers"},
		{"a warm pool of fewer than no sandboxes", &SandboxWarmPool{ObjectMeta: objectMeta("wp-a", "ns", nil), Spec: SandboxWarmPoolSpec{Size: -1, PodTemplate: pod}}, "spec.size"},
		{"a claim on no pool", &SandboxClaim{ObjectMeta: objectMeta("sbc-r", "ns", nil)}, "spec.warmPoolRef.name"},
		{"a runtime class no RuntimeClass can be named", &Sandbox{ObjectMeta: objectMeta("sb-r", "ns", nil), Spec: SandboxSpec{PodTemplate: corev1.PodTemplateSpec{
			Spec: corev1.PodSpec{RuntimeClassName: ptr("gVisor"), Containers: pod.Spec.Containers}}}}, "spec.podTemplate.spec.runtimeClassName"},
		{"a warm pool's runtime class likewise", &SandboxWarmPool{ObjectMeta: objectMeta("wp-a", "ns", nil), Spec: SandboxWarmPoolSpec{RuntimeClassName: "Kata", PodTemplate: pod}}, "spec.runtimeClassName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := validateObject(tt.obj)
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("unexpected errors: %v", errs)
			case tt.want != "" && !strings.Contains(errs.ToAggregate().Error(), tt.want):
				t.Errorf("errors %v, want one with %q", errs, tt.want)
			}
		})
	}
}
