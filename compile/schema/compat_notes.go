package schema

// compatNotes says what skillc does with an upstream field (keys "Kind spec.path"); a note covers
// the fields under its field unless one of them has its own. Refused fields carry their reason in
// their `unsupported` tag instead.
var compatNotes = map[string]string{}
