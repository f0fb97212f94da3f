package volumes

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestPrepareConfigsAndSecrets(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
    configs:
      - inline
      - source: fromfile
        target: etc/app.conf
        mode: 0640
    secrets:
      - token
      - source: fromenv
        target: /keys/api
        uid: "${UID}"
        gid: "${GID}"
        mode: 0400
configs:
  inline:
    content: "inline ${WHO}"
  fromfile:
    file: ./app.conf
secrets:
  token:
    file: ./token.txt
  fromenv:
    environment: API_KEY
`, map[string]string{"WHO": "world", "API_KEY": "s3cret", "UID": strconv.Itoa(os.Getuid()), "GID": strconv.Itoa(os.Getgid())})
	for name, content := range map[string]string{"app.conf": "port=80\n", "token.txt": "t0ken"} {
		if err := os.WriteFile(filepath.Join(p.WorkingDir, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	state := t.TempDir()
	mounts, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1", StateDir: state})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		target, content string
		mode            os.FileMode
		uid, gid        int
	}{
		{"/inline", "inline world", 0o444, 0, 0},
		{"/etc/app.conf", "port=80\n", 0o640, 0, 0},
		{"/run/secrets/token", "t0ken", 0o444, 0, 0},
		{"/keys/api", "s3cret", 0o400, os.Getuid(), os.Getgid()},
	}
	for _, c := range cases {
		m := findMount(t, mounts, c.target)
		if !strings.HasPrefix(m.Source, state+"/") || !slices.Contains(m.Options, "ro") || m.Type != "bind" {
			t.Errorf("%s: mount %+v, want a read-only bind from under the state dir", c.target, m)
		}
		assertFile(t, m.Source, c.content, c.mode, c.uid, c.gid)
	}
}

func assertFile(t *testing.T, file, content string, mode os.FileMode, uid, gid int) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil || string(data) != content {
		t.Errorf("%s = %q (%v), want %q", file, data, err, content)
	}
	info, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != mode {
		t.Errorf("%s mode = %o, want %o", file, info.Mode().Perm(), mode)
	}
	if os.Geteuid() == 0 { // only root can give files away
		st := statOf(t, file)
		if int(st.Uid) != uid || int(st.Gid) != gid {
			t.Errorf("%s owner = %d:%d, want %d:%d", file, st.Uid, st.Gid, uid, gid)
		}
	}
}

func TestSecretFromUnsetEnvironment(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := loadProject(t, `
services:
  app:
    image: busybox
    secrets: [key]
secrets:
  key:
    environment: NOT_SET_ANYWHERE
`, nil)
	_, _, err := prepare(t, s, ServiceRequest{Project: p, Service: "app", ContainerID: "c1"})
	if err == nil || !strings.Contains(err.Error(), `"key"`) || !strings.Contains(err.Error(), "NOT_SET_ANYWHERE") {
		t.Fatalf("error = %v, want one naming the secret and the variable", err)
	}
}
