package image

import (
	"encoding/json"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ApplyChange applies one Dockerfile instruction, as `docker import
// --change` takes them (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL,
// USER, VOLUME, WORKDIR), to cfg.
func ApplyChange(cfg *v1.Config, change string) error {
	keyword, rest, _ := strings.Cut(strings.TrimSpace(change), " ")
	rest = strings.TrimSpace(rest)
	apply, ok := changeKeywords[strings.ToUpper(keyword)]
	if !ok {
		return fmt.Errorf("change %q: unsupported instruction %q", change, keyword)
	}
	if rest == "" {
		return fmt.Errorf("change %q: %s needs an argument", change, keyword)
	}
	if err := apply(cfg, rest); err != nil {
		return fmt.Errorf("change %q: %w", change, err)
	}
	return nil
}

var changeKeywords = map[string]func(*v1.Config, string) error{
	"CMD":        func(c *v1.Config, s string) (err error) { c.Cmd, err = command(s); return err },
	"ENTRYPOINT": func(c *v1.Config, s string) (err error) { c.Entrypoint, err = command(s); return err },
	"WORKDIR":    func(c *v1.Config, s string) error { c.WorkingDir = s; return nil },
	"USER":       func(c *v1.Config, s string) error { c.User = s; return nil },
	"STOPSIGNAL": func(c *v1.Config, s string) error { c.StopSignal = s; return nil },
	"ENV":        applyEnv,
	"LABEL":      applyLabel,
	"EXPOSE":     applyExpose,
	"VOLUME":     applyVolume,
}

// command takes the exec form (a JSON array) as is and wraps the shell
// form in /bin/sh -c, as the Dockerfile reference describes.
func command(s string) ([]string, error) {
	if strings.HasPrefix(s, "[") {
		var args []string
		if err := json.Unmarshal([]byte(s), &args); err != nil {
			return nil, fmt.Errorf("exec form: %w", err)
		}
		return args, nil
	}
	return []string{"/bin/sh", "-c", s}, nil
}

// pairs parses "k=v k2=\"v 2\"" or the legacy one-pair form "k v".
func pairs(s string) ([][2]string, error) {
	words := splitWords(s)
	if !strings.Contains(words[0], "=") {
		key, value, _ := strings.Cut(s, " ")
		return [][2]string{{key, strings.TrimSpace(value)}}, nil
	}
	var out [][2]string
	for _, w := range words {
		key, value, ok := strings.Cut(w, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("%q is not key=value", w)
		}
		out = append(out, [2]string{key, value})
	}
	return out, nil
}

func applyEnv(c *v1.Config, s string) error {
	kvs, err := pairs(s)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		c.Env = setEnv(c.Env, kv[0], kv[1])
	}
	return nil
}

// setEnv replaces key's entry in env, or appends one.
func setEnv(env []string, key, value string) []string {
	for i, e := range env {
		if strings.HasPrefix(e, key+"=") {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}

func applyLabel(c *v1.Config, s string) error {
	kvs, err := pairs(s)
	if err != nil {
		return err
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	for _, kv := range kvs {
		c.Labels[kv[0]] = kv[1]
	}
	return nil
}

// applyExpose adds ports as "80/tcp"; tcp when no protocol is given.
func applyExpose(c *v1.Config, s string) error {
	if c.ExposedPorts == nil {
		c.ExposedPorts = map[string]struct{}{}
	}
	for _, port := range strings.Fields(s) {
		if !strings.Contains(port, "/") {
			port += "/tcp"
		}
		c.ExposedPorts[port] = struct{}{}
	}
	return nil
}

func applyVolume(c *v1.Config, s string) error {
	paths := strings.Fields(s)
	if strings.HasPrefix(s, "[") {
		if err := json.Unmarshal([]byte(s), &paths); err != nil {
			return fmt.Errorf("volume list: %w", err)
		}
	}
	if c.Volumes == nil {
		c.Volumes = map[string]struct{}{}
	}
	for _, p := range paths {
		c.Volumes[p] = struct{}{}
	}
	return nil
}

// splitWords splits at unquoted blanks, removing double quotes and the
// backslashes that escape the next character.
func splitWords(s string) []string {
	var words []string
	var cur strings.Builder
	quoted, escaped, inWord := false, false, false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\':
			escaped = true
		case r == '"':
			quoted = !quoted
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
			}
			inWord = false
			continue
		default:
			cur.WriteRune(r)
		}
		inWord = true
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}
