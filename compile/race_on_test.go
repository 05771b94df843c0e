//go:build race

package compile

// raceEnabled: the race detector makes sync.Pool drop items at random, so pooled buffers (JSON,
// YAML) are allocated again and allocation counts run higher than in a normal build.
const raceEnabled = true
