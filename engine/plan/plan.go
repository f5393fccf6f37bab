// Package plan is the plan value: what one or more runs would read and
// write, its versioned JSON file, and the field-level diff of each write.
// Human and JSON views both render this one structure.
package plan

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/toteworks/tote/connectors"
)

// FormatVersion is the version of the saved plan format. Apply refuses
// files of another version.
const FormatVersion = 1

// Plan is everything `tote plan` found to do.
type Plan struct {
	FormatVersion int       `json:"format_version"`
	ToteVersion   string    `json:"tote_version"`
	ConfigHash    string    `json:"config_hash"`
	CreatedAt     time.Time `json:"created_at"`
	Runs          []*Run    `json:"runs"`
	// Cursors are poll positions to store once every run of their trigger
	// has been applied, keyed by "<pipeline>.<trigger>".
	Cursors map[string]string `json:"cursors,omitempty"`
	// PublicURL is where the vendors reach tote run; Subscriptions are the
	// webhook registrations the triggers need there.
	PublicURL     string          `json:"public_url,omitempty"`
	Subscriptions []*Subscription `json:"subscriptions,omitempty"`
	// Variables are the values the plan was made with; apply uses them.
	Variables map[string]Variable `json:"variables,omitempty"`
}

// Subscription is one planned change to a vendor's webhook registrations.
type Subscription struct {
	Connection string        `json:"connection"`
	Op         connectors.Op `json:"op"`
	ID         string        `json:"id,omitempty"`
	Topic      string        `json:"topic"`
	URL        string        `json:"url"`
	Reason     string        `json:"reason,omitempty"`
}

// SubscriptionChanges counts the subscription changes that are not no-ops.
func (p *Plan) SubscriptionChanges() int {
	n := 0
	for _, s := range p.Subscriptions {
		if s.Op != connectors.OpNoop {
			n++
		}
	}
	return n
}

// Run is the plan of one pipeline for one event.
type Run struct {
	Pipeline string `json:"pipeline"`
	Trigger  string `json:"trigger,omitempty"`
	EventKey string `json:"event_key,omitempty"`
	// Event is the trigger's event data, as typed JSON.
	Event   json.RawMessage `json:"event,omitempty"`
	Reads   []Read          `json:"reads"`
	Changes []*Change       `json:"changes"`
	Errors  []Failure       `json:"errors,omitempty"`
	// Waiting are writes whose target is not ready yet (tote run tries
	// them again later); they are not failures.
	Waiting []Failure `json:"waiting,omitempty"`
}

// Read is a read step instance executed during plan.
type Read struct {
	Address string `json:"address"`
	Action  string `json:"action"`
	// Deferred reads wait for a value only known after apply.
	Deferred bool `json:"deferred,omitempty"`
}

// Change is one planned write.
type Change struct {
	Address     string        `json:"address"`
	Action      string        `json:"action"`
	Connection  string        `json:"connection"`
	Op          connectors.Op `json:"op"`
	Identity    string        `json:"identity"`
	Fingerprint string        `json:"fingerprint,omitempty"`
	// ArgsDigest identifies the exact arguments; empty when some were unknown.
	ArgsDigest string  `json:"args_digest,omitempty"`
	Fields     []Field `json:"fields"`
	// Names are display names of vendor ids in Fields (see connectors.Change).
	Names map[string]string `json:"names,omitempty"`
}

// Field is one leaf of a write's record.
type Field struct {
	Path         string          `json:"path"`
	Before       json.RawMessage `json:"before,omitempty"`
	After        json.RawMessage `json:"after,omitempty"`
	AfterUnknown bool            `json:"after_unknown,omitempty"`
	Sensitive    bool            `json:"sensitive,omitempty"`
	Changed      bool            `json:"changed"`
}

// Failure is a node that failed while planning or applying.
type Failure struct {
	Address string `json:"address"`
	Error   string `json:"error"`
	// Diagnostics locate a failed expression in the pipeline files.
	Diagnostics []Diagnostic `json:"diagnostics,omitempty"`
}

// Counts tallies changes by op.
type Counts struct {
	Create, Update, Delete, Noop int
}

// Changes returns how many writes would happen.
func (c Counts) Changes() int { return c.Create + c.Update + c.Delete }

// Count tallies the plan's changes.
func (p *Plan) Count() Counts {
	var c Counts
	for _, r := range p.Runs {
		c.add(r)
	}
	return c
}

// add tallies the changes of r.
func (c *Counts) add(r *Run) {
	for _, ch := range r.Changes {
		switch ch.Op {
		case connectors.OpCreate:
			c.Create++
		case connectors.OpUpdate:
			c.Update++
		case connectors.OpDelete:
			c.Delete++
		default:
			c.Noop++
		}
	}
}

// Failed reports whether any run failed to plan.
func (p *Plan) Failed() bool {
	for _, r := range p.Runs {
		if len(r.Errors) > 0 {
			return true
		}
	}
	return false
}

// Save writes the plan to path, readable by its owner only.
func (p *Plan) Save(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	w := NewWriter(f, p, true)
	for _, r := range p.Runs {
		if err := w.Add(r); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Close(p); err != nil {
		f.Close()
		return fmt.Errorf("saving the plan: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	return nil
}

// Load reads a saved plan and checks its format version.
func Load(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s is not a saved plan: %w", path, err)
	}
	if p.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s has plan format %d; this tote reads format %d", path, p.FormatVersion, FormatVersion)
	}
	return &p, nil
}

// Find returns the planned change at address, or nil.
func (r *Run) Find(address string) *Change {
	for _, c := range r.Changes {
		if c.Address == address {
			return c
		}
	}
	return nil
}
