//go:build tools

// Package tools pins the Kubernetes commands `make e2e` builds (go build k8s.io/kubernetes/cmd/...
// from inside this module).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
