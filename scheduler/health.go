package scheduler

import (
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-dev/berth/runtime"
)

// Docker's defaults for a health check's unset (or zero) fields
// (moby daemon/health.go).
const (
	DefaultHealthInterval      = 30 * time.Second
	DefaultHealthTimeout       = 30 * time.Second
	DefaultHealthStartInterval = 5 * time.Second
	DefaultHealthRetries       = 3
	// Docker records at most this many probe results per container.
	maxHealthLog = 5
	// Docker keeps at most this much of a probe's output.
	maxProbeOutput = 4096
)

// HealthCheck is the effective health check of a container: the service's
// healthcheck merged over the image's HEALTHCHECK, defaults applied.
type HealthCheck struct {
	// Test is ["CMD", arg...] or ["CMD-SHELL", command].
	Test          []string
	Interval      time.Duration // between probes, from the end of one to the start of the next
	Timeout       time.Duration // a probe running longer fails
	StartPeriod   time.Duration // failures in it do not count while starting
	StartInterval time.Duration // between probes during the start period
	Retries       int           // consecutive failures that make it unhealthy
}

// HealthCheckOf returns the health check a container of s runs, nil when
// it has none. As Docker does when it creates a container, each field the
// service leaves unset is taken from the image's HEALTHCHECK (image may be
// nil); `disable: true` or a test of ["NONE"] turns the check off.
func HealthCheckOf(s types.ServiceConfig, image *runtime.ImageHealthcheck) (*HealthCheck, error) {
	c := fromImage(image)
	if hc := s.HealthCheck; hc != nil {
		if hc.Disable {
			return nil, nil
		}
		overlay(&c, hc)
	}
	if len(c.Test) == 0 || c.Test[0] == "NONE" {
		return nil, nil
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("service %q: %w", s.Name, err)
	}
	c.defaults()
	return &c, nil
}

func fromImage(image *runtime.ImageHealthcheck) HealthCheck {
	if image == nil {
		return HealthCheck{}
	}
	return HealthCheck{
		Test:          image.Test,
		Interval:      image.Interval,
		Timeout:       image.Timeout,
		StartPeriod:   image.StartPeriod,
		StartInterval: image.StartInterval,
		Retries:       image.Retries,
	}
}

// overlay sets on c what the compose healthcheck sets.
func overlay(c *HealthCheck, hc *types.HealthCheckConfig) {
	if len(hc.Test) > 0 {
		c.Test = hc.Test
	}
	setDuration(&c.Interval, hc.Interval)
	setDuration(&c.Timeout, hc.Timeout)
	setDuration(&c.StartPeriod, hc.StartPeriod)
	setDuration(&c.StartInterval, hc.StartInterval)
	if hc.Retries != nil {
		c.Retries = int(*hc.Retries)
	}
}

// setDuration keeps dst when d is unset or zero: Docker reads a zero as
// "inherit, then default".
func setDuration(dst *time.Duration, d *types.Duration) {
	if d != nil && *d != 0 {
		*dst = time.Duration(*d)
	}
}

// validate applies the Docker engine's checks at container create.
func (c *HealthCheck) validate() error {
	switch c.Test[0] {
	case "CMD", "CMD-SHELL":
		if len(c.Test) < 2 || c.Test[1] == "" {
			return fmt.Errorf("healthcheck %s has no command", c.Test[0])
		}
	default:
		return fmt.Errorf("healthcheck test %q must start with CMD, CMD-SHELL or NONE", c.Test)
	}
	for _, d := range []struct {
		name  string
		value time.Duration
	}{{"interval", c.Interval}, {"timeout", c.Timeout}, {"start_period", c.StartPeriod}, {"start_interval", c.StartInterval}} {
		if d.value != 0 && d.value < time.Millisecond {
			return fmt.Errorf("healthcheck %s %v must be at least 1ms", d.name, d.value)
		}
	}
	if c.Retries < 0 {
		return fmt.Errorf("healthcheck retries %d must not be negative", c.Retries)
	}
	return nil
}

func (c *HealthCheck) defaults() {
	if c.Interval == 0 {
		c.Interval = DefaultHealthInterval
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultHealthTimeout
	}
	if c.StartInterval == 0 {
		c.StartInterval = DefaultHealthStartInterval
	}
	if c.Retries == 0 {
		c.Retries = DefaultHealthRetries
	}
}

// Args is the process a probe runs in the container: CMD's arguments as
// given, CMD-SHELL's through /bin/sh -c, as Docker runs them on Linux.
func (c *HealthCheck) Args() []string {
	if c.Test[0] == "CMD-SHELL" {
		return append([]string{"/bin/sh", "-c"}, c.Test[1:]...)
	}
	return c.Test[1:]
}
