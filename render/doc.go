// Package render is the pipeline's last stage: it writes compiled objects into a directory and
// compares a directory with them. Write replaces DIR as a whole (a sibling temporary directory
// swapped in by rename) and only when DIR is missing, empty or a render skillc wrote, listed in
// its manifest (ManifestName); Verify compares without writing and gives a unified diff; Add only
// adds files (import and export). Nothing here prints or exits: every refusal and failure comes
// back as an error, and a context cancelled by a signal stops a write cleanly (see Guard).
package render
