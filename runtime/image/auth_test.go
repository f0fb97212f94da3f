package image_test

import (
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-dev/berth/runtime/image"
	"github.com/berth-dev/berth/runtime/image/imagetest"
	"github.com/google/go-containerregistry/pkg/registry"
)

// TestPullDockerConfigAuth serves a registry behind basic auth and pulls
// with the credentials of a docker config.json ($DOCKER_CONFIG), as
// `docker login` leaves them; without them the pull is refused.
func TestPullDockerConfigAuth(t *testing.T) {
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, pass, ok := r.BasicAuth(); !ok || user != "berth" || pass != "s3cret" {
			w.Header().Set("WWW-Authenticate", `Basic realm="berth-test"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	img, err := imagetest.BusyboxImage()
	if err != nil {
		t.Fatal(err)
	}
	ref := host + "/private/busybox:1"
	config := t.TempDir()
	t.Setenv("DOCKER_CONFIG", config)
	if _, err := openStore(t).Pull(t.Context(), ref, image.PullOptions{}); !errors.Is(err, image.ErrUnauthorized) {
		t.Fatalf("pull without credentials: %v, want ErrUnauthorized", err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte("berth:s3cret"))
	content := `{"auths":{"` + host + `":{"auth":"` + auth + `"}}}`
	if err := os.WriteFile(filepath.Join(config, "config.json"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	imagetest.Push(t, ref, img) // the default keychain now has the credentials
	if _, err := openStore(t).Pull(t.Context(), ref, image.PullOptions{}); err != nil {
		t.Fatalf("pull with docker config credentials: %v", err)
	}
}
