package project

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.yaml.in/yaml/v4"
)

// ErrLoad wraps every error of Load and LoadModel: it names the compose
// file the error is about, which compose-go leaves out for some errors
// (YAML syntax, interpolation, consistency).
type ErrLoad struct {
	Files []string // the file at fault, or every file loaded when unknown
	Err   error
}

func (e *ErrLoad) Error() string {
	msg := e.Err.Error()
	for _, f := range e.Files {
		if strings.Contains(msg, f) {
			return msg
		}
	}
	return strings.Join(e.Files, ", ") + ": " + msg
}

func (e *ErrLoad) Unwrap() error { return e.Err }

// attribute names the file an error of loading files is about: the first
// that does not parse as YAML, else all of them.
func attribute(err error, files []string) error {
	if err == nil || len(files) == 0 {
		return err
	}
	if e := (*ErrLoad)(nil); errors.As(err, &e) {
		return err
	}
	for _, f := range files {
		if parseErr := yamlSyntaxError(f); parseErr != nil {
			return &ErrLoad{Files: []string{f}, Err: parseErr}
		}
	}
	return &ErrLoad{Files: files, Err: err}
}

// yamlSyntaxError parses file and returns the parser's error, which gives
// the line and column.
func yamlSyntaxError(file string) error {
	if file == "-" {
		return nil // standard input can be read only once
	}
	content, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var doc any
	if err := yaml.Unmarshal(content, &doc); err != nil {
		return fmt.Errorf("invalid YAML: %w", err)
	}
	return nil
}
