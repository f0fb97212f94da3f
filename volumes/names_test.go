package volumes

import "testing"

func TestValidateName(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"db", "demo_data", "a.b-c_d", "0x", "A1"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("ValidateName(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "a", "_x", ".x", "-x", "a/b", "a b", "../x", "é1"} {
		if err := ValidateName(bad); !errorIs(err, ErrInvalid) {
			t.Errorf("ValidateName(%q) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestUnescapeMountinfo(t *testing.T) {
	t.Parallel()
	cases := map[string]string{`/a\040b`: "/a b", `/plain`: "/plain", `/x\134y`: `/x\y`, `/end\04`: `/end\04`}
	for in, want := range cases {
		if got := unescapeMountinfo(in); got != want {
			t.Errorf("unescape(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseDriverOpts(t *testing.T) {
	t.Parallel()
	m, err := parseDriverOpts(map[string]string{"type": "tmpfs", "device": "tmpfs", "o": "size=1m,uid=1000,noexec,ro,rw"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != "tmpfs" || m.Data != "size=1m,uid=1000" || m.Flags != 0x8 /* MS_NOEXEC */ {
		t.Errorf("parsed = %+v", m)
	}
	m, err = parseDriverOpts(map[string]string{"o": "bind", "device": "/srv"})
	if err != nil || m.Type != "none" || m.Flags != 0x1000 /* MS_BIND */ {
		t.Errorf("bind opts = %+v, %v", m, err)
	}
	if m, err := parseDriverOpts(nil); m != nil || err != nil {
		t.Errorf("no opts = %+v, %v; want a plain directory", m, err)
	}
}
