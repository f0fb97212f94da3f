package volumes

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
)

// validName is Docker's rule for local volume names: at least two
// characters, the first alphanumeric, then alphanumerics, '_', '.' or '-'.
var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// ValidateName returns an ErrInvalid error naming the volume when Docker
// would refuse name.
func ValidateName(name string) error {
	if !validName.MatchString(name) {
		return invalidf("volume name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed, at least two characters", name)
	}
	return nil
}

// validateContainerID guards the reference files, which are named after
// container IDs, against path tricks.
func validateContainerID(id string) error {
	if !validName.MatchString(id) {
		return invalidf("container id %q: not a valid id", id)
	}
	return nil
}

// RandomName returns a 64-hex-digit name, as Docker gives volumes created
// without one.
func RandomName() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("random volume name: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// ProjectVolumeName is the name Docker Compose gives a volume declared
// without `name:`.
func ProjectVolumeName(project, key string) string {
	return project + "_" + key
}
