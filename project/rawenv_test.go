package project

import (
	"maps"
	"strings"
	"testing"
)

func TestParseRawEnv(t *testing.T) {
	lookup := func(k string) (string, bool) {
		if k == "FROM_HOST" {
			return "host", true
		}
		return "", false
	}
	input := "\uFEFFA=1\n  # comment\n\nB=\"quoted $X\"\nFROM_HOST\nMISSING\nC=a=b\n"
	got := map[string]string{}
	if err := parseRawEnv(strings.NewReader(input), "f.env", got, lookup); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"A": "1", "B": `"quoted $X"`, "FROM_HOST": "host", "C": "a=b"}
	if !maps.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{"=x\n", "MY VAR=1\n"} {
		if err := parseRawEnv(strings.NewReader(bad), "f.env", map[string]string{}, lookup); err == nil || !strings.Contains(err.Error(), "f.env") {
			t.Errorf("%q: error %v does not name the file", bad, err)
		}
	}
}
