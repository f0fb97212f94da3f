package spec

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// expanded are the keys whose sub-keys keyRules classifies one by one.
var expanded = []string{"deploy", "deploy.resources", "deploy.resources.limits", "deploy.resources.reservations"}

// composeKeys lists every key of t (a struct type) by yaml name, through
// inlined structs and into the expanded keys, skipping x-* extensions and
// fields compose files cannot set.
func composeKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case name == "-" || name == "#extensions":
		case strings.Contains(opts, "inline"):
			keys = append(keys, composeKeys(ft, prefix)...)
		case slices.Contains(expanded, prefix+name):
			keys = append(keys, composeKeys(ft, prefix+name+".")...)
		default:
			keys = append(keys, prefix+name)
		}
	}
	return keys
}

// TestKeyRulesCoverServiceConfig fails when compose-go's ServiceConfig has
// a key keyRules does not classify (a new compose-go version), or when
// keyRules names a key that does not exist or twice.
func TestKeyRulesCoverServiceConfig(t *testing.T) {
	t.Parallel()
	keys := composeKeys(reflect.TypeFor[types.ServiceConfig](), "")
	var ruled []string
	for _, r := range keyRules {
		if slices.Contains(ruled, r.key) {
			t.Errorf("keyRules lists %q twice", r.key)
		}
		ruled = append(ruled, r.key)
		if !slices.Contains(keys, r.key) {
			t.Errorf("keyRules lists %q, which types.ServiceConfig does not have", r.key)
		}
		if r.support != here && r.note == "" {
			t.Errorf("keyRules: %q needs a note saying who honours it or why not", r.key)
		}
	}
	for _, k := range keys {
		if !slices.Contains(ruled, k) {
			t.Errorf("types.ServiceConfig key %q is not classified in keyRules", k)
		}
	}
}

// TestUnhonoured checks warnings from services built in code, including
// keys compose-go's schema refuses in a file (log_driver) and empty values
// that say nothing.
func TestUnhonoured(t *testing.T) {
	t.Parallel()
	svc := types.ServiceConfig{Name: "web", Deploy: &types.DeployConfig{
		Mode:      "replicated",
		Labels:    types.Labels{},
		Placement: types.Placement{Constraints: []string{}},
	}}
	svc.LogDriver = "syslog"
	svc.GroupAdd = []string{"audio"}
	svc.Develop = &types.DevelopConfig{}
	got := Unhonoured(svc)
	want := []string{"develop", "log_driver"}
	if !slices.Equal(warningKeys(got), want) {
		t.Fatalf("got %v, want keys %v", got, want)
	}
	const text = `service "web": log_driver: not supported (the version 2 form of logging; Docker Compose ignores it too): ignored`
	if s := got[1].String(); s != text {
		t.Errorf("String() = %q, want %q", s, text)
	}
	if len(Unhonoured(types.ServiceConfig{Name: "bare"})) != 0 {
		t.Errorf("a service with nothing set has warnings")
	}
}
