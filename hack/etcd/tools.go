//go:build tools

// Package tools pins the etcd server `make e2e` builds (go build go.etcd.io/etcd/server/v3 from
// inside this module).
package tools

import _ "go.etcd.io/etcd/server/v3"
