package image_test

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/runtime/image"
)

// tarEntry is one entry of a test layer; a regular file unless typ says
// otherwise.
type tarEntry struct {
	name, content, link string
	typ                 byte
}

func layerTar(t *testing.T, entries ...tarEntry) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Typeflag: e.typ, Linkname: e.link, Mode: 0o644, Size: int64(len(e.content))}
		if e.typ == tar.TypeXGlobalHeader {
			hdr = &tar.Header{Typeflag: e.typ, PAXRecords: map[string]string{"comment": e.content}}
			e.content = ""
		}
		if e.typ == 0 {
			hdr.Typeflag = tar.TypeReg
		}
		if e.typ == tar.TypeDir {
			hdr.Mode = 0o755
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(e.content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

// snapshot records every path below dir with its mode and content.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		content, _ := os.ReadFile(p)
		out[p] = info.Mode().String() + " " + string(content)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUnpackHostile feeds layers that try to write outside their
// directory; whether each is refused or confined, nothing outside changes.
func TestUnpackHostile(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	up := strings.Repeat("../", 20)
	tests := map[string]struct {
		entries []tarEntry
		inside  string // a file that must exist in the layer afterwards, if any
	}{
		"dot-dot name":  {[]tarEntry{{name: up + outside[1:] + "/planted", content: "x"}}, outside[1:] + "/planted"},
		"absolute name": {[]tarEntry{{name: outside + "/planted", content: "x"}}, outside[1:] + "/planted"},
		"absolute symlinked parent": {[]tarEntry{
			{name: "evil", typ: tar.TypeSymlink, link: outside},
			{name: "evil/planted", content: "x"},
		}, ""},
		"relative symlinked parent": {[]tarEntry{
			{name: "a/", typ: tar.TypeDir},
			{name: "a/up", typ: tar.TypeSymlink, link: up + outside[1:]},
			{name: "a/up/planted", content: "x"},
		}, ""},
		"write through symlink": {[]tarEntry{
			{name: "link", typ: tar.TypeSymlink, link: secret},
			{name: "link", content: "pwned"},
		}, "link"},
		"hard link out": {[]tarEntry{{name: "hl", typ: tar.TypeLink, link: up + secret[1:]}}, ""},
		"hard link to symlink out": {[]tarEntry{
			{name: "sl", typ: tar.TypeSymlink, link: secret},
			{name: "hl", typ: tar.TypeLink, link: "sl"},
			{name: "hl", content: "pwned"},
		}, "hl"},
		"dir over symlink": {[]tarEntry{
			{name: "d", typ: tar.TypeSymlink, link: outside},
			{name: "d/", typ: tar.TypeDir},
			{name: "d/planted", content: "x"},
		}, "d/planted"},
		"whiteout through symlink": {[]tarEntry{
			{name: "w", typ: tar.TypeSymlink, link: outside},
			{name: "w/.wh.secret"},
		}, ""},
	}
	before := snapshot(t, outside)
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			layer := t.TempDir()
			err := image.Unpack(t.Context(), layerTar(t, tt.entries...), layer)
			t.Logf("unpack: %v", err)
			if after := snapshot(t, outside); len(after) != len(before) || after[secret] != before[secret] {
				t.Fatalf("outside dir changed: %v, was %v", after, before)
			}
			if tt.inside == "" {
				return
			}
			if err != nil {
				t.Fatalf("unpack: %v", err)
			}
			if fi, err := os.Lstat(filepath.Join(layer, tt.inside)); err != nil || !fi.Mode().IsRegular() {
				t.Errorf("%s in layer: %v %v, want a regular file", tt.inside, fi, err)
			}
		})
	}
}

func TestUnpackReplacesAndLinks(t *testing.T) {
	t.Parallel()
	layer := t.TempDir()
	err := image.Unpack(t.Context(), layerTar(t,
		tarEntry{typ: tar.TypeXGlobalHeader, content: "as git archive writes"},
		tarEntry{name: "dir/", typ: tar.TypeDir},
		tarEntry{name: "dir/file", content: "one"},
		tarEntry{name: "dir/file", content: "two"},
		tarEntry{name: "dir/hard", typ: tar.TypeLink, link: "dir/file"},
		tarEntry{name: "dir/soft", typ: tar.TypeSymlink, link: "file"},
		tarEntry{name: "deep/er/file", content: "made parents"},
		tarEntry{name: "gone/", typ: tar.TypeDir},
		tarEntry{name: "gone/child", content: "x"},
		tarEntry{name: "gone", content: "a file now"},
	), layer)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := os.Stat(filepath.Join(layer, "dir/file"))
	b, _ := os.Stat(filepath.Join(layer, "dir/hard"))
	if a == nil || b == nil || !os.SameFile(a, b) {
		t.Errorf("dir/hard is not a hard link of dir/file")
	}
	if content, _ := os.ReadFile(filepath.Join(layer, "dir/soft")); string(content) != "two" {
		t.Errorf("dir/soft reads %q, want the second version", content)
	}
	if content, _ := os.ReadFile(filepath.Join(layer, "deep/er/file")); string(content) != "made parents" {
		t.Errorf("deep/er/file reads %q", content)
	}
	if content, _ := os.ReadFile(filepath.Join(layer, "gone")); string(content) != "a file now" {
		t.Errorf("gone reads %q, want the file that replaced the directory", content)
	}
}
