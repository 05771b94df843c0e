package emit

// EncodeYAML exposes the direct writer to the external tests (corpus_test.go).
var EncodeYAML = encodeYAML

// AppendJSON exposes the direct JSON writer to the external tests (corpus_test.go).
var AppendJSON = appendJSON
