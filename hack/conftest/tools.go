//go:build tools

// Package tools pins conftest for `make tools`.
package tools

import _ "github.com/open-policy-agent/conftest"
