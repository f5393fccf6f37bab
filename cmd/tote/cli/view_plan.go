package cli

import (
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/engine/plan"
)

// renderPlan prints a plan the way Terraform users read one: symbols
// + ~ - for writes and <= for reads, changed fields only, unchanged fields
// counted, and a footer. The runs are visited one at a time, so a plan
// read from a file is never all in memory.
func renderPlan(w io.Writer, src plan.Source) error {
	sum := src.Summary()
	p := src.Head()
	c := sum.Counts
	if c.Changes() > 0 {
		fmt.Fprintln(w, "tote will perform the following actions:")
		fmt.Fprintln(w)
	}
	err := src.EachRun(func(r *plan.Run) error {
		if len(r.Reads) == 0 && len(r.Changes) == 0 && len(r.Errors) == 0 && len(r.Waiting) == 0 {
			return nil
		}
		fmt.Fprintf(w, "# pipeline %q, %s\n", r.Pipeline, eventLabel(r))
		for _, rd := range r.Reads {
			note := ""
			if rd.Deferred {
				note = " (deferred: its arguments are known after apply)"
			}
			fmt.Fprintf(w, "  <= %s (read %s)%s\n", rd.Address, rd.Action, note)
		}
		for _, ch := range r.Changes {
			renderChange(w, ch)
		}
		for _, f := range r.Errors {
			fmt.Fprintf(w, "  ! %s failed: %s\n", f.Address, f.Error)
		}
		for _, f := range r.Waiting {
			fmt.Fprintf(w, "  … %s waits: %s\n", f.Address, f.Error)
		}
		fmt.Fprintln(w)
		return nil
	})
	if err != nil {
		return err
	}
	renderSubscriptions(w, p)
	if c.Changes() == 0 && p.SubscriptionChanges() == 0 {
		failed, waiting := sum.Failures, sum.Waiting
		switch {
		case failed > 0:
			fmt.Fprintf(w, "No changes to make, but %d %s failed (above): the systems may still differ.\n", failed, plural(failed, "step", "steps"))
		case waiting > 0:
			fmt.Fprintf(w, "No changes to make now; %d %s (above).\n", waiting, plural(waiting, "write waits", "writes wait"))
		default:
			fmt.Fprintln(w, "No changes. Both systems already match the pipelines.")
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, footer(c))
	if p.SubscriptionChanges() > 0 {
		n := map[connectors.Op]int{}
		for _, s := range p.Subscriptions {
			n[s.Op]++
		}
		fmt.Fprintf(w, "Webhook subscriptions: %d to create, %d to update, %d to delete.\n",
			n[connectors.OpCreate], n[connectors.OpUpdate], n[connectors.OpDelete])
	}
	return nil
}

func renderSubscriptions(w io.Writer, p *plan.Plan) {
	if p.SubscriptionChanges() == 0 {
		if p.PublicURL != "" && len(p.Subscriptions) > 0 {
			fmt.Fprintf(w, "Webhook subscriptions at %s are in place (%d).\n\n", p.PublicURL, len(p.Subscriptions))
		}
		return
	}
	fmt.Fprintf(w, "# webhook subscriptions at %s\n", p.PublicURL)
	for _, s := range p.Subscriptions {
		sym := map[connectors.Op]string{connectors.OpCreate: "+", connectors.OpUpdate: "~", connectors.OpDelete: "-"}[s.Op]
		if sym == "" {
			continue
		}
		line := fmt.Sprintf("  %s %s: %s -> %s", sym, s.Connection, s.Topic, s.URL)
		if s.Reason != "" {
			line += " (" + s.Reason + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w)
}

func footer(c plan.Counts) string {
	s := fmt.Sprintf("Plan: %d to create, %d to update, %d unchanged", c.Create, c.Update, c.Noop)
	if c.Delete > 0 {
		s += fmt.Sprintf(", %d to delete", c.Delete)
	}
	return s + "."
}

func eventLabel(r *plan.Run) string {
	if r.Trigger == "" {
		return "manual run"
	}
	if r.EventKey == "" {
		return "trigger " + r.Trigger
	}
	return fmt.Sprintf("trigger %s, event %q", r.Trigger, r.EventKey)
}

func renderChange(w io.Writer, ch *plan.Change) {
	var sym, verb string
	switch ch.Op {
	case connectors.OpCreate:
		sym, verb = "+", "will be created"
	case connectors.OpUpdate:
		sym, verb = "~", "will be updated in place"
	case connectors.OpDelete:
		sym, verb = "-", "will be deleted"
	default:
		return // unchanged writes are counted in the footer only
	}
	fmt.Fprintf(w, "\n  # %s %s\n", ch.Address, verb)
	fmt.Fprintf(w, "  %s %s (%s, %s) {\n", sym, ch.Address, ch.Action, ch.Connection)
	// A new record's unset fields say nothing: they are counted, not shown.
	shown := func(f plan.Field) bool {
		if ch.Op == connectors.OpCreate {
			return f.After != nil || f.AfterUnknown || f.Sensitive
		}
		return f.Changed
	}
	width := 0
	for _, f := range ch.Fields {
		if shown(f) {
			width = max(width, len(f.Path))
		}
	}
	hidden := 0
	for _, f := range ch.Fields {
		if !shown(f) {
			hidden++
			continue
		}
		pad := strings.Repeat(" ", width-len(f.Path))
		after, before := named(f, afterText(f), f.After, ch.Names), named(f, beforeText(f), f.Before, ch.Names)
		switch {
		case ch.Op == connectors.OpCreate:
			fmt.Fprintf(w, "      + %s%s = %s\n", f.Path, pad, after)
		case ch.Op == connectors.OpDelete:
			fmt.Fprintf(w, "      - %s%s = %s\n", f.Path, pad, before)
		case f.Before == nil && !f.Sensitive:
			fmt.Fprintf(w, "      + %s%s = %s\n", f.Path, pad, after)
		case f.After == nil && !f.AfterUnknown && !f.Sensitive:
			fmt.Fprintf(w, "      - %s%s = %s -> null\n", f.Path, pad, before)
		default:
			fmt.Fprintf(w, "      ~ %s%s = %s -> %s\n", f.Path, pad, before, after)
		}
	}
	if hidden > 0 {
		what := plural(hidden, "unchanged field", "unchanged fields")
		if ch.Op == connectors.OpCreate {
			what = plural(hidden, "null field", "null fields")
		}
		fmt.Fprintf(w, "        # (%d %s hidden)\n", hidden, what)
	}
	fmt.Fprintln(w, "    }")
}

func afterText(f plan.Field) string {
	switch {
	case f.Sensitive:
		return "(sensitive value)"
	case f.AfterUnknown:
		return "(known after apply)"
	case f.After == nil:
		return "null"
	}
	return string(f.After)
}

func beforeText(f plan.Field) string {
	switch {
	case f.Sensitive:
		return "(sensitive value)"
	case f.Before == nil:
		return "null"
	}
	return string(f.Before)
}

// idField matches the last segment of a field path that holds vendor ids:
// storeId, tagIds[2], warehouse_id.
var idField = regexp.MustCompile(`(?i)(id|ids)(\[\d+\])?$`)

// named appends the display name the connector gave for an id value:
// 12345 (Wholesale Store).
func named(f plan.Field, text string, value []byte, names map[string]string) string {
	if len(names) == 0 || value == nil || f.Sensitive || !idField.MatchString(f.Path) {
		return text
	}
	if name, ok := names[strings.Trim(string(value), `"`)]; ok {
		return text + " (" + name + ")"
	}
	return text
}
