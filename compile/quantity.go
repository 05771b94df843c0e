package compile

import (
	"sync"
	"sync/atomic"

	"k8s.io/apimachinery/pkg/api/resource"
)

// quantity is resource.MustParse of a valid quantity (a constant, or one validated on load),
// formatted once and remembered. Every emitted object's size check (oversize: its protobuf Size)
// formats each of its quantities, and a quantity held in a ResourceList cannot keep the result:
// every pod's copy was formatted again. The cached text is what String and MarshalJSON would
// compute, so the output is the same.
func quantity(s string) resource.Quantity {
	if q, ok := quantities.Load(s); ok {
		return q.(resource.Quantity).DeepCopy()
	}
	q := resource.MustParse(s)
	_ = q.String()
	// A bound: the texts come from the inputs, and a long-lived process compiles many of them.
	if quantityCount.Add(1) <= maxCachedQuantities {
		quantities.Store(s, q)
	}
	return q.DeepCopy()
}

const maxCachedQuantities = 1024

var (
	quantities    sync.Map // text → formatted resource.Quantity
	quantityCount atomic.Int32
)
