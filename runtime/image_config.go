package runtime

import "time"

// ImageConfig is what an image brings to a container: the defaults of its
// config (Docker's image config, which OCI's extends) and where its
// unpacked layers are. The image store produces it; the translation from a
// compose service consumes it.
type ImageConfig struct {
	Ref          string // as the user named it, normalized: docker.io/library/busybox:latest
	ID           string // sha256 digest of the config blob
	Entrypoint   []string
	Cmd          []string
	Env          []string
	WorkingDir   string
	User         string
	Volumes      []string // mount points declared with VOLUME
	ExposedPorts []string // "80/tcp"
	StopSignal   string
	Labels       map[string]string
	Healthcheck  *ImageHealthcheck
	// LowerDirs are the unpacked layers, lowest first, to use as overlay
	// lower dirs; the translation also reads /etc/passwd and /etc/group
	// through them to resolve user names.
	LowerDirs []string
}

// ImageHealthcheck is Docker's HEALTHCHECK instruction as stored in the
// image config.
type ImageHealthcheck struct {
	Test          []string // ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"]
	Interval      time.Duration
	Timeout       time.Duration
	StartPeriod   time.Duration
	StartInterval time.Duration
	Retries       int
}
