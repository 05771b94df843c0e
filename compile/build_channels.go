package compile

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skillc-dev/skillc/api"
	"github.com/skillc-dev/skillc/diag"
)

// Channel gateways: each channel of an Agent (spec.channels) is a Deployment running the channel's
// gateway image, which bridges the chat service and upstream's event bus (upstream
// AgentReconciler.reconcileChannels and buildChannelDeployment, internal/controller/
// agent_controller.go). Their pods are gated like a run's: the gateway holds the channel's
// credentials, and an Agent's author writes its extra volumes.

// Names and values upstream gives the gateways.
const (
	// ChannelServiceAccount is every gateway's identity in its namespace
	// (ensureChannelServiceAccount).
	ChannelServiceAccount = "sympozium-channel"
	ChannelContainer      = "channel"
	LabelChannel          = "sympozium.ai/channel"
	ComponentChannel      = "channel"
	// eventBusURL is upstream's event bus, in its own namespace (a constant upstream too).
	eventBusURL = "nats://nats.sympozium-system.svc:4222"
	// The WhatsApp gateway keeps its device link on a volume, so that a restart needs no new QR
	// pairing (ensureWhatsAppPVC).
	whatsAppType      = "whatsapp"
	whatsAppVolume    = "whatsapp-data"
	whatsAppMountPath = "/data"
	whatsAppStorage   = "256Mi"
	slackType         = "slack"
)

// ChannelDeploymentName is the gateway of an Agent's channel of type t.
func ChannelDeploymentName(agent, t string) string { return agent + "-channel-" + t }

// WhatsAppClaimName is the volume claim of a WhatsApp gateway.
func WhatsAppClaimName(deployment string) string { return deployment + "-data" }

// validateChannels checks an Agent's channels before anything is built: a type with a gateway
// image, each type once (upstream names the Deployment after the type: a second channel of one
// type would be the first one's Deployment, its own settings lost).
func validateChannels(cfg *api.ConfigSpec, inst *api.Instance) diag.Diagnostics {
	var diags diag.Diagnostics
	seen := map[string]int{}
	for i, ch := range inst.Spec.Channels {
		f := fmt.Sprintf("spec.channels[%d]", i)
		switch _, known := cfg.Images.Channels[ch.Type]; {
		case ch.Type == "":
			diags = append(diags, inst.Src.Diag(f+".type", "required: the channel type (%s)", strings.Join(slices.Sorted(maps.Keys(cfg.Images.Channels)), ", ")))
			continue
		case !known:
			diags = append(diags, inst.Src.Diag(f+".type", "no gateway image for channel type %q: upstream ships %s; the platform names others in the CompilerConfig's spec.images.channels",
				ch.Type, strings.Join(slices.Sorted(maps.Keys(api.DefaultChannelImages())), ", ")))
		}
		if j, dup := seen[ch.Type]; dup {
			diags = append(diags, inst.Src.Diag(f+".type", "a second %s channel (the first is spec.channels[%d]): upstream runs one gateway Deployment per type, %s, and would ignore this one", ch.Type, j, ChannelDeploymentName(inst.Metadata.Name, ch.Type)))
			continue
		}
		seen[ch.Type] = i
		if ch.Type != slackType && ch.Slack != nil {
			diags = append(diags, warning(inst.Src, f+".slack", "slack options on a %s channel: upstream applies them to Slack channels only", ch.Type))
		}
	}
	return diags
}

// checkChannelImages refuses a gateway image no runtime could pull.
func checkChannelImages(c *api.CompilerConfig) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, t := range sortedKeys(c.Spec.Images.Channels) {
		if ref := c.Spec.Images.Channels[t]; api.ParseImage(ref) != nil {
			diags = append(diags, c.Src.Diag("spec.images.channels."+t, "invalid image reference %q: %v", ref, api.ParseImage(ref)))
		}
	}
	return diags
}

// buildChannels renders every Agent's gateways: the namespace's gateway ServiceAccount, and per
// channel a Deployment (and a WhatsApp gateway's volume claim).
func buildChannels(cfg *api.ConfigSpec, in *api.Inputs, images *diag.Source, rr *recorder) ([]Object, []*origins, diag.Diagnostics) {
	var objs []Object
	var froms []*origins
	var diags diag.Diagnostics
	accounts := map[string]bool{}
	owners := map[nsName]string{} // Deployment → the Agent and channel that asked for it
	for _, inst := range in.Instances {
		if len(inst.Spec.Channels) == 0 {
			continue
		}
		ns := NamespaceOf(inst.Metadata, DefaultNamespace)
		if !accounts[ns] {
			accounts[ns] = true
			// A platform default, shared by every Agent's gateways there: no source.
			objs = append(objs, buildServiceAccount(ChannelServiceAccount, ns, labels(LabelComponent, ComponentChannel)))
			froms = append(froms, rr.begin(nil, "").done())
		}
		for i := range inst.Spec.Channels {
			ch := &inst.Spec.Channels[i]
			field := fmt.Sprintf("spec.channels[%d]", i)
			name := ChannelDeploymentName(inst.Metadata.Name, ch.Type)
			here := fmt.Sprintf("%s %s/%s %s", inst.Kind, ns, inst.Metadata.Name, field)
			if prev, dup := owners[nsName{ns, name}]; dup {
				diags = append(diags, inst.Src.Diag(field+".type", "channel gateway Deployment %s/%s would also be the gateway of %s: rename one Agent or channel type", ns, name, prev))
				continue
			}
			owners[nsName{ns, name}] = here
			d, from := buildChannelDeployment(cfg, inst, i, images, rr)
			objs, froms = append(objs, d), append(froms, from)
			if ch.Type == whatsAppType {
				pvc, from := buildWhatsAppClaim(inst, i, name, rr)
				objs, froms = append(objs, pvc), append(froms, from)
			}
		}
	}
	return objs, froms, diags
}

// channelLabels are upstream's labels of a gateway, its pods and its selector.
func channelLabels(inst *api.Instance, t string) map[string]string {
	return map[string]string{LabelComponent: ComponentChannel, LabelChannel: t, LabelInstance: inst.Metadata.Name}
}

// buildChannelDeployment renders the i-th channel of inst as upstream's buildChannelDeployment
// does, with where each field came from.
func buildChannelDeployment(cfg *api.ConfigSpec, inst *api.Instance, i int, images *diag.Source, rr *recorder) (*appsv1.Deployment, *origins) {
	ch := &inst.Spec.Channels[i]
	src := &inst.Src
	field := fmt.Sprintf("spec.channels[%d]", i)
	name := ChannelDeploymentName(inst.Metadata.Name, ch.Type)
	from := rr.begin(nil, DeploymentPodSpecPath)
	from.set("", src, field)
	from.set("metadata.name", src, field+".type")
	for _, p := range [...]string{"metadata.labels", "spec.selector", "spec.template.metadata.labels"} {
		from.set(p, src, field+".type")
	}
	from.setPod("", 0, 0, src, field, 0)

	c := corev1.Container{
		Name:            ChannelContainer,
		Image:           cfg.Images.Channels[ch.Type],
		ImagePullPolicy: corev1.PullIfNotPresent,
	}
	if images != nil {
		from.setPod("containers[0].image", 0, 0, images, "spec.images.channels."+ch.Type, 0)
	} else {
		from.setPod("containers[0].image", 0, 0, src, field+".type", 0)
	}
	env := map[string]string{
		"INSTANCE_NAME":               inst.Metadata.Name,
		"EVENT_BUS_URL":               eventBusURL,
		"OTEL_EXPORTER_OTLP_ENDPOINT": channelOTLPEndpoint(inst),
		"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
		"OTEL_SERVICE_NAME":           "sympozium-channel-" + ch.Type,
	}
	envField := map[string]string{"INSTANCE_NAME": "metadata.name", "OTEL_SERVICE_NAME": field + ".type", "OTEL_EXPORTER_OTLP_ENDPOINT": "spec.observability"}
	if ch.Type == slackType {
		// The Slack gateway gates inbound messages itself (the router checks again).
		add := func(k, v, f string) {
			if v != "" {
				env[k], envField[k] = v, f
			}
		}
		if s := ch.Slack; s != nil {
			if s.Threading {
				add("SLACK_THREADING", "true", field+".slack.threading")
			}
			if s.ThreadStickiness {
				add("SLACK_THREAD_STICKINESS", "true", field+".slack.threadStickiness")
			}
			add("SLACK_ALLOWED_TRIGGERS", strings.Join(s.AllowedTriggers, ","), field+".slack.allowedTriggers")
		}
		if ac := ch.AccessControl; ac != nil {
			add("SLACK_ALLOWED_SENDERS", strings.Join(ac.AllowedSenders, ","), field+".accessControl.allowedSenders")
			add("SLACK_DENIED_SENDERS", strings.Join(ac.DeniedSenders, ","), field+".accessControl.deniedSenders")
			add("SLACK_ALLOWED_CHATS", strings.Join(ac.AllowedChats, ","), field+".accessControl.allowedChats")
		}
	}
	for j, k := range sortedKeys(env) {
		c.Env = append(c.Env, corev1.EnvVar{Name: k, Value: env[k]})
		if f := envField[k]; f != "" {
			from.setPod("containers[0].env[#]", j, 0, src, f, 0)
		}
	}
	if s := ch.ConfigRef.Secret; s != "" {
		// Every key of the channel's Secret becomes env of the gateway.
		c.EnvFrom = []corev1.EnvFromSource{{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: s}}}}
		from.setPod("containers[0].envFrom[0]", 0, 0, src, field+".configRef.secret", 0)
	}
	spec := corev1.PodSpec{ServiceAccountName: ChannelServiceAccount, Containers: []corev1.Container{c}}
	strategy := appsv1.DeploymentStrategy{}
	ctr := &spec.Containers[0]
	if ch.Type == whatsAppType {
		// Recreate: two pods must not hold the one ReadWriteOnce claim.
		strategy.Type = appsv1.RecreateDeploymentStrategyType
		from.set("spec.strategy", src, field+".type")
		spec.Volumes = append(spec.Volumes, corev1.Volume{Name: whatsAppVolume, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: WhatsAppClaimName(name)}}})
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: whatsAppVolume, MountPath: whatsAppMountPath})
		from.setPod("volumes[0]", 0, 0, src, field+".type", 0)
		from.setPod("containers[0].volumeMounts[0]", 0, 0, src, field+".type", 0)
	}
	// The channel's own volumes and mounts, appended as written (the gate judges them).
	for j := range ch.Volumes {
		from.add(rec{path: "volumes[#]", idx: [2]int32{int32(len(spec.Volumes))}, src: src, field: field + ".volumes[#]", fidx: int32(j), flags: inPod | verbatim})
		spec.Volumes = append(spec.Volumes, ch.Volumes[j])
	}
	for j := range ch.VolumeMounts {
		from.add(rec{path: "containers[0].volumeMounts[#]", idx: [2]int32{int32(len(ctr.VolumeMounts))}, src: src, field: field + ".volumeMounts[#]", fidx: int32(j), flags: inPod | verbatim})
		ctr.VolumeMounts = append(ctr.VolumeMounts, ch.VolumeMounts[j])
	}
	l := channelLabels(inst, ch.Type)
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(name, NamespaceOf(inst.Metadata, DefaultNamespace), withManagedBy(l)),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr(int32(1)),
			Selector: &metav1.LabelSelector{MatchLabels: l},
			Strategy: strategy,
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: withManagedBy(l)}, Spec: spec},
		},
	}, from.done()
}

// withManagedBy is upstream's labels and skillc's own mark.
func withManagedBy(l map[string]string) map[string]string {
	m := maps.Clone(l)
	m[LabelManagedBy] = ManagedBySkillc
	return m
}

// channelOTLPEndpoint is upstream's resolveOTelEndpoint for a gateway: the Agent's endpoint when
// its observability is enabled, none when it is disabled. Without either, upstream falls back to
// the controller's own OTEL_EXPORTER_OTLP_ENDPOINT, a platform setting skillc does not see: empty.
func channelOTLPEndpoint(inst *api.Instance) string {
	if o := inst.Spec.Observability; o != nil && o.Enabled {
		return o.OTLPEndpoint
	}
	return ""
}

// buildWhatsAppClaim is a WhatsApp gateway's volume claim (ensureWhatsAppPVC).
func buildWhatsAppClaim(inst *api.Instance, i int, deployment string, rr *recorder) (*corev1.PersistentVolumeClaim, *origins) {
	from := rr.begin(nil, "")
	from.set("", &inst.Src, fmt.Sprintf("spec.channels[%d].type", i))
	l := channelLabels(inst, whatsAppType)
	return &corev1.PersistentVolumeClaim{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
		ObjectMeta: objectMeta(WhatsAppClaimName(deployment), NamespaceOf(inst.Metadata, DefaultNamespace), withManagedBy(l)),
		Spec: corev1.PersistentVolumeClaimSpec{
			AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(whatsAppStorage)}},
		},
	}, from.done()
}
