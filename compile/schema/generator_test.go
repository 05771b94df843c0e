package schema

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

type withTime struct {
	At time.Time `json:"at"`
}

type withUint struct {
	N uint `json:"n"`
}

// TestGeneratorRefusesWhatItCannotDescribe: a field the decoder hands to a type's own
// UnmarshalJSON, or cannot decode at all, has no schema by reflection; the generator says which
// rather than guess.
func TestGeneratorRefusesWhatItCannotDescribe(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  reflect.Type
		want string
	}{
		{"self-decoding type without a schema", reflect.TypeFor[withTime](), "no schema for time.Time"},
		{"kind the decoder cannot decode", reflect.TypeFor[withUint](), "the decoder cannot decode it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := &generator{defs: object{}, building: map[reflect.Type]bool{}, used: map[string]bool{}}
			_, err := g.valueSchema(tc.typ, true)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
