package emit

// EncodeYAML exposes the direct writer to the external tests (corpus_test.go).
var EncodeYAML = encodeYAML

// DroppedWhenEmpty exposes which empty stanzas ToMap drops.
var DroppedWhenEmpty = droppedWhenEmpty
