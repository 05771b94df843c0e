// Package arch holds no code: its tests keep the module's layering (load → resolve → build → gate →
// write) and the one owner of each YAML library from eroding, one import at a time.
package arch
