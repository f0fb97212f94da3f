package project

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/dotenv"
)

// env_file entries may say `format: raw`: the file is then read as
// `docker run --env-file` reads it, with no quoting, interpolation or
// escapes. compose-go knows only its own format; Docker Compose registers
// this one, and so must berth for the same files to load.
func init() { dotenv.RegisterFormat("raw", parseRawEnv) }

// parseRawEnv reads KEY=VALUE lines verbatim. Blank lines and lines starting
// with # are skipped; a bare KEY takes its value from lookup, and is dropped
// when lookup has none.
func parseRawEnv(r io.Reader, filename string, vars map[string]string, lookup func(string) (string, bool)) error {
	scanner := bufio.NewScanner(r)
	for n := 1; scanner.Scan(); n++ {
		line := scanner.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if !utf8.ValidString(line) {
			return fmt.Errorf("failed to parse env_file %s: invalid utf8 bytes at line %d", filename, n)
		}
		line = strings.TrimLeftFunc(line, unicode.IsSpace)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, value, hasValue := strings.Cut(line, "=")
		if key == "" {
			return fmt.Errorf("failed to parse env_file %s: no variable name on line '%s'", filename, line)
		}
		if strings.IndexFunc(key, unicode.IsSpace) >= 0 {
			return fmt.Errorf("failed to parse env_file %s: variable '%s' contains whitespaces", filename, key)
		}
		if !hasValue {
			var ok bool
			if value, ok = lookup(key); !ok {
				continue
			}
		}
		vars[key] = value
	}
	return scanner.Err()
}
