package policy

import (
	"context"
	"errors"
	"fmt"
	"runtime/metrics"
	"time"

	"github.com/skillc-dev/skillc/diag"
)

// A policy folder's rules may come from a pull request (--policy on the PR's folder, or
// spec.policy.paths in a kustomization): skillc build runs them in Argo CD's repo server. Their
// evaluation is bounded in time by spec.limits.policyTimeout and in memory by policyHeapBudget;
// the builtins that allocate in proportion to an argument are refused when the folder is loaded
// (checkBuiltins). The built-in library alone runs unbounded: it is ours.

// policyHeapBudget is how far the heap may grow while a policy folder's rules are evaluated. OPA
// checks for cancellation between evaluation steps, so one step can still pass it, by at most
// what that step allocates.
const policyHeapBudget = 384 << 20

var (
	errPolicyTime   = errors.New("policy folder's rules ran past spec.limits.policyTimeout")
	errPolicyMemory = errors.New("policy folder's rules ran past their memory budget")
)

// withBudget returns the context a gate evaluation runs under and a function that ends the budget
// and turns an evaluation error caused by it into input errors at the policy folders.
func (g *Gate) withBudget(ctx context.Context) (context.Context, func(error) error) {
	if g.builtinOnly {
		return ctx, func(err error) error { return err }
	}
	timeout := g.cfg.Spec.PolicyTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	timer := time.AfterFunc(timeout, func() { cancel(errPolicyTime) })
	stopWatch := watchHeap(policyHeapBudget, func() { cancel(errPolicyMemory) })
	return ctx, func(err error) error {
		timer.Stop()
		stopWatch()
		cause := context.Cause(ctx)
		cancel(nil)
		if err == nil || (cause != errPolicyTime && cause != errPolicyMemory) {
			return err
		}
		what := fmt.Sprintf("its rules ran longer than spec.limits.policyTimeout (%s) and were stopped", timeout)
		if cause == errPolicyMemory {
			what = fmt.Sprintf("its rules grew the heap by more than %d MiB and were stopped", policyHeapBudget>>20)
		}
		var ds diag.Diagnostics
		for _, f := range g.dirs {
			ds = append(ds, diag.Diagnostic{File: f.Path(), Severity: diag.SeverityError, Field: FieldPolicyFolder,
				Message: what + " (this folder's, or another policy folder's: they are evaluated together)"})
		}
		return ds
	}
}

// watchHeap calls over once when the live heap grows past budget bytes over what it is now, and
// stops watching when the returned function runs.
func watchHeap(budget uint64, over func()) func() {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heap := func() uint64 {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return sample[0].Value.Uint64()
	}
	limit := heap() + budget
	done := make(chan struct{})
	go func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if heap() > limit {
					over()
					return
				}
			}
		}
	}()
	return func() { close(done) }
}
