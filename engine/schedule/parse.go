package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour |
	cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Parse parses a cron expression: five standard fields (minute hour
// day-of-month month day-of-week), six with a leading seconds field, or a
// descriptor (@yearly, @monthly, @weekly, @daily, @hourly, @every 5m, ...),
// optionally prefixed by CRON_TZ=<zone>. Without a zone, a schedule follows
// the zone of the times it is given. The error text names the expression and
// the problem, fit for a diagnostic.
func Parse(expr string) (cron.Schedule, error) {
	spec := strings.TrimSpace(expr)
	if err := precheck(spec); err != nil {
		return nil, fmt.Errorf("invalid cron expression %q: %w", expr, err)
	}
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("invalid cron expression %q: %w", expr, err)
	}
	return s, nil
}

// precheck rejects what the cron parser would panic on or silently alter.
func precheck(spec string) error {
	if spec == "" {
		return errors.New("empty; want five fields (minute hour day-of-month month day-of-week), " +
			"six with leading seconds, or a descriptor such as @hourly")
	}
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		zone, rest, ok := strings.Cut(spec, " ")
		if !ok {
			return fmt.Errorf("%s must be followed by a schedule", zone)
		}
		spec = strings.TrimSpace(rest)
	}
	every, ok := strings.CutPrefix(spec, "@every ")
	if !ok {
		return nil
	}
	// The parser would round these to whole seconds, at least one.
	d, err := time.ParseDuration(strings.TrimSpace(every))
	if err != nil {
		return fmt.Errorf("@every: %w", err)
	}
	if d < time.Second || d%time.Second != 0 {
		return fmt.Errorf("@every %s: the interval must be a whole number of seconds, at least 1s", every)
	}
	return nil
}
