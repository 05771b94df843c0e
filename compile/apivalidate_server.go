package compile

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// The API server's create checks of the kinds a server-mode run emits (build_server.go), for the
// fields skillc sets: kubernetes pkg/apis/apps/validation (ValidateDeployment) and
// pkg/apis/core/validation (ValidateService, validateContainerPorts), mirrored as apivalidate.go
// mirrors the others.

// validateDeployment mirrors ValidateDeploymentSpec (apps): non-negative replicas, a selector that
// is not empty and matches the template's labels, a pod template whose restartPolicy is Always.
func validateDeployment(errs field.ErrorList, d *appsv1.Deployment, c *cursor) field.ErrorList {
	spec := &d.Spec
	sp := field.NewPath("spec")
	if spec.Replicas != nil && *spec.Replicas < 0 {
		errs = append(errs, field.Invalid(sp.Child("replicas"), *spec.Replicas, "must be greater than or equal to 0"))
	}
	switch sel := spec.Selector; {
	case sel == nil:
		errs = append(errs, field.Required(sp.Child("selector"), ""))
	case len(sel.MatchLabels)+len(sel.MatchExpressions) == 0:
		errs = append(errs, field.Invalid(sp.Child("selector"), sel, "empty selector is invalid for deployment"))
	default:
		c.n = 0
		c.child("spec")
		c.child("selector")
		c.child("matchLabels")
		errs = validateLabels(errs, sel.MatchLabels, c)
		if !selects(sel.MatchLabels, spec.Template.Labels) { // skillc sets no matchExpressions
			errs = append(errs, field.Invalid(sp.Child("template", "metadata", "labels"), spec.Template.Labels, "`selector` does not match template `labels`"))
		}
	}
	c.n = 0
	c.child("spec")
	c.child("template")
	c.child("metadata")
	c.child("labels")
	errs = validateLabels(errs, spec.Template.Labels, c)
	c.pop()
	c.pop()
	c.child("spec")
	errs = validatePodSpec(errs, &spec.Template.Spec, c)
	if rp := spec.Template.Spec.RestartPolicy; rp != "" && rp != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(c.to("restartPolicy"), rp, []string{string(corev1.RestartPolicyAlways)}))
	}
	c.n = 0
	switch spec.Strategy.Type {
	case "", appsv1.RecreateDeploymentStrategyType, appsv1.RollingUpdateDeploymentStrategyType:
	default:
		errs = append(errs, field.NotSupported(sp.Child("strategy", "type"), spec.Strategy.Type, []string{"Recreate", "RollingUpdate"}))
	}
	return errs
}

// validateService mirrors ValidateService (core) for a ClusterIP Service with a selector: a
// DNS-1035 name, at least one port, each with a valid number, protocol and target, names required
// when there are several and unique, no port twice per protocol.
func validateService(errs field.ErrorList, s *corev1.Service, c *cursor) field.ErrorList {
	for _, msg := range validation.IsDNS1035Label(s.Name) {
		errs = append(errs, field.Invalid(namePath, s.Name, msg))
	}
	pp := field.NewPath("spec", "ports")
	if len(s.Spec.Ports) == 0 {
		errs = append(errs, field.Required(pp, ""))
	}
	names := map[string]bool{}
	type portProto struct {
		port  int32
		proto corev1.Protocol
	}
	seen := map[portProto]bool{}
	for i, p := range s.Spec.Ports {
		ip := pp.Index(i)
		switch {
		case p.Name == "" && len(s.Spec.Ports) > 1:
			errs = append(errs, field.Required(ip.Child("name"), ""))
		case p.Name != "":
			for _, msg := range validation.IsValidPortName(p.Name) {
				errs = append(errs, field.Invalid(ip.Child("name"), p.Name, msg))
			}
			if names[p.Name] {
				errs = append(errs, field.Duplicate(ip.Child("name"), p.Name))
			}
			names[p.Name] = true
		}
		for _, msg := range validation.IsValidPortNum(int(p.Port)) {
			errs = append(errs, field.Invalid(ip.Child("port"), p.Port, msg))
		}
		errs = validateProtocol(errs, p.Protocol, ip.Child("protocol"))
		switch {
		case p.TargetPort.Type == intstr.Int && p.TargetPort.IntVal == 0:
			// unset: the API server defaults it to the port
		case p.TargetPort.Type == intstr.String:
			for _, msg := range validation.IsValidPortName(p.TargetPort.StrVal) {
				errs = append(errs, field.Invalid(ip.Child("targetPort"), p.TargetPort.StrVal, msg))
			}
		default:
			for _, msg := range validation.IsValidPortNum(p.TargetPort.IntValue()) {
				errs = append(errs, field.Invalid(ip.Child("targetPort"), p.TargetPort.IntVal, msg))
			}
		}
		k := portProto{p.Port, p.Protocol}
		if seen[k] {
			errs = append(errs, field.Duplicate(ip, p.Port))
		}
		seen[k] = true
	}
	c.n = 0
	c.child("spec")
	c.child("selector")
	errs = validateLabels(errs, s.Spec.Selector, c)
	c.n = 0
	return errs
}

// validateContainerPorts mirrors validateContainerPorts (core): a valid port number, a name that
// is an IANA service name and unique in the container, a supported protocol.
func validateContainerPorts(errs field.ErrorList, ports []corev1.ContainerPort, c *cursor) field.ErrorList {
	if len(ports) == 0 {
		return errs
	}
	names := map[string]bool{}
	for i, p := range ports {
		c.at(i)
		if p.Name != "" {
			for _, msg := range validation.IsValidPortName(p.Name) {
				errs = append(errs, field.Invalid(c.to("name"), p.Name, msg))
			}
			if names[p.Name] {
				errs = append(errs, field.Duplicate(c.to("name"), p.Name))
			}
			names[p.Name] = true
		}
		for _, msg := range validation.IsValidPortNum(int(p.ContainerPort)) {
			errs = append(errs, field.Invalid(c.to("containerPort"), p.ContainerPort, msg))
		}
		errs = validateProtocol(errs, p.Protocol, c.to("protocol"))
		c.pop()
	}
	return errs
}

// validateProtocol: TCP, UDP or SCTP (the API server defaults an empty one to TCP).
func validateProtocol(errs field.ErrorList, p corev1.Protocol, at *field.Path) field.ErrorList {
	switch p {
	case "", corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		return errs
	}
	return append(errs, field.NotSupported(at, p, []string{string(corev1.ProtocolTCP), string(corev1.ProtocolUDP), string(corev1.ProtocolSCTP)}))
}

// selects: every label of the selector is on the template, with its value.
func selects(sel, on map[string]string) bool {
	for k, v := range sel {
		if w, ok := on[k]; !ok || w != v {
			return false
		}
	}
	return true
}
