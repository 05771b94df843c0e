package compile

import (
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// fastCheckSeeds are names of every shape the loops must judge as the library does: valid,
// too long by one, with each kind of bad character at each end and inside, and empty labels.
func fastCheckSeeds() []string {
	seeds := []string{"", "a", "0", "-", ".", "_", "A", "a-b", "a.b", "a_b", "a..b", "a.-b", "a-.b", "-a", "a-", ".a", "a.",
		"_a", "a_", "A.b", "Ab", "a b", "a/b", "é", "a\x00", "sympozium-skill-k8s-ops-run-1", "example.com", "1.2.3",
		"MyValue", "my_value", "12345", "..", "...", "..a", "a..", "._", "1A", "A1", "my.env-name", "SKILL_X", "x.y.z-0", "a.b.", ".a.b", "a--b", "a__b", "a..", "UPPER", "ünï"}
	for _, n := range []int{62, 63, 64, 252, 253, 254} {
		seeds = append(seeds, strings.Repeat("a", n), strings.Repeat("a", n-1)+"-", "A"+strings.Repeat("a", n-1))
	}
	// labels of 63 joined by dots: a subdomain at and past 253
	l := strings.Repeat("b", 63)
	seeds = append(seeds, l+"."+l+"."+l+"."+strings.Repeat("c", 61), l+"."+l+"."+l+"."+strings.Repeat("c", 62), strings.Repeat("d", 64)+".e")
	return seeds
}

func checkFast(t *testing.T, s string) {
	t.Helper()
	for _, fn := range []checkFn{dnsLabel, dnsSubdomain, labelValue, envVarName, configMapKey} {
		lib := len(checkFns[fn](s)) == 0
		if fast := fastValid(fn, s); fast != lib {
			t.Errorf("check %d of %q: fast path says %v, apimachinery %v", fn, s, fast, lib)
		}
	}
	// The checks without a loop always defer to the library.
	if fastValid(annotationKey, s) {
		t.Errorf("annotation key %q: accepted without the library", s)
	}
}

// TestFastValidMatchesApimachinery: each loop accepts exactly what apimachinery's regular
// expression (and length limit) accepts, so that skipping the library changes no answer.
func TestFastValidMatchesApimachinery(t *testing.T) {
	for _, s := range fastCheckSeeds() {
		checkFast(t, s)
	}
	// Every string of up to three bytes over an alphabet with each character class in it.
	alpha := []byte("az09AZ-._/ \x80")
	var gen func(prefix []byte, n int)
	gen = func(prefix []byte, n int) {
		checkFast(t, string(prefix))
		if n == 0 {
			return
		}
		for _, c := range alpha {
			gen(append(prefix, c), n-1)
		}
	}
	gen(nil, 3)
}

func FuzzFastValid(f *testing.F) {
	for _, s := range fastCheckSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFast(t, s) })
}

// TestCountSourcesKnowsEverySource: countSources lists VolumeSource's fields by hand; each one
// set alone counts once, and a source k8s.io/api adds (a field not counted) fails here.
func TestCountSourcesKnowsEverySource(t *testing.T) {
	typ := reflect.TypeFor[corev1.VolumeSource]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Type.Kind() != reflect.Pointer {
			t.Fatalf("VolumeSource.%s is not a pointer: countSources needs another rule", f.Name)
		}
		var s corev1.VolumeSource
		reflect.ValueOf(&s).Elem().Field(i).Set(reflect.New(f.Type.Elem()))
		if n := countSources(&s); n != 1 {
			t.Errorf("VolumeSource.%s set alone: countSources = %d, want 1", f.Name, n)
		}
	}
	if n := countSources(&corev1.VolumeSource{}); n != 0 {
		t.Errorf("no source: countSources = %d", n)
	}
}

// TestParamEnvNameMatchesToUpper: the ASCII path of paramEnvName names every key as the general
// one (strings.ToUpper, then "_" for each byte that is not a letter or digit) does.
func TestParamEnvNameMatchesToUpper(t *testing.T) {
	general := func(key string) string {
		b := []byte("SKILL_" + strings.ToUpper(key))
		for i := len("SKILL_"); i < len(b); i++ {
			if c := b[i]; !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
				b[i] = '_'
			}
		}
		return string(b)
	}
	for _, k := range append(fastCheckSeeds(), "region", "max-Items", "a.b_c", "zZ09", "~`!@#$%^&*()[]{}", "\x7f", "é", "ſ", "ı") {
		if got, want := paramEnvName(k), general(k); got != want {
			t.Errorf("paramEnvName(%q) = %q, want %q", k, got, want)
		}
	}
}
