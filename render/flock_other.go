//go:build !unix

package render

import "context"

// Without flock we cannot tell a killed run's temporary directory from a live one: leave them all.

func lockDir(string) func() { return func() {} }

func tryLockDir(string) (func(), bool) { return func() {}, false }

func ownedByUs(string) bool { return false }

// lockWriters cannot serialise writers without flock: concurrent writers into one DIR are unsupported.
func lockWriters(context.Context, string) (func(), error) { return func() {}, nil }
