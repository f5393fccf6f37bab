package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/toteworks/tote/engine/state"
)

// eventView is an inbox item with its runs and their writes, for
// `tote runs -order` and `-sku`.
type eventView struct {
	ID        int64           `json:"id"`
	Pipeline  string          `json:"pipeline"`
	Trigger   string          `json:"trigger"`
	Key       string          `json:"key"`
	Status    string          `json:"status"`
	Attempts  int             `json:"attempts"`
	CreatedAt time.Time       `json:"created_at"`
	NextTry   time.Time       `json:"next_attempt_at,omitzero"`
	LastError string          `json:"last_error,omitempty"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	Runs      []foundRun      `json:"runs"`
}

type foundRun struct {
	runView
	WritesMade []writeView `json:"write_targets"`
}

// runsFind lists every event that concerned one order or SKU, each with
// its runs and their writes.
func runsFind(ctx context.Context, env Env, store *state.Store, sub state.Subject, f state.SearchFilter, status string, asJSON bool) int {
	items, err := store.ItemsConcerning(ctx, sub, f)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	var events []eventView
	runs := 0
	for _, it := range items {
		rs, err := store.RunsOfItem(ctx, it.ID)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		ev := eventView{ID: it.ID, Pipeline: it.Pipeline, Trigger: it.Trigger, Key: it.Key, Status: string(it.Status),
			Attempts: it.Attempts, CreatedAt: it.CreatedAt.UTC(), LastError: it.LastError, Runs: []foundRun{}}
		if asJSON {
			ev.Payload = redactedPayload(it)
		}
		if it.Status == state.ItemPending && (it.Attempts > 0 || it.LastError != "") {
			ev.NextTry = it.NotBefore.UTC()
		}
		for i, r := range rs {
			// rs are every run of the item, oldest first: the last is its latest.
			v := viewRun(r, &it, i == len(rs)-1)
			if status != "" && v.Status != status && string(it.Status) != status {
				continue
			}
			ws, err := store.WritesOfRun(ctx, v.ID)
			if err != nil {
				fmt.Fprintln(env.Stderr, "Error:", err)
				return exitError
			}
			ev.Runs = append(ev.Runs, foundRun{runView: v, WritesMade: viewWrites(ws)})
		}
		if status != "" && len(ev.Runs) == 0 && string(it.Status) != status {
			continue
		}
		runs += len(ev.Runs)
		events = append(events, ev)
	}
	if asJSON {
		if events == nil {
			events = []eventView{}
		}
		writeJSON(env.Stdout, map[string]any{"kind": sub.Kind, "value": sub.Value, "events": events})
		return exitOK
	}
	name := map[string]string{"order": "Order", "sku": "SKU"}[sub.Kind]
	if len(events) == 0 {
		fmt.Fprintf(env.Stdout, "No events concern %s %s.\n", name, sub.Value)
		return exitOK
	}
	fmt.Fprintf(env.Stdout, "%s %s: %d event%s, %d run%s.\n", name, sub.Value,
		len(events), plural(len(events), "", "s"), runs, plural(runs, "", "s"))
	for _, ev := range events {
		fmt.Fprintf(env.Stdout, "\nEvent %d  %s/%s  %s  %s  received %s\n", ev.ID, ev.Pipeline, ev.Trigger, ev.Key,
			eventStatusText(ev), ev.CreatedAt.Format(time.RFC3339))
		if ev.LastError != "" && ev.Status != string(state.ItemDone) {
			fmt.Fprintf(env.Stdout, "  last error: %s\n", oneLine(ev.LastError, 200))
		}
		for _, r := range ev.Runs {
			fmt.Fprintf(env.Stdout, "  run %s  %s  %d write%s  started %s\n", r.ID, r.statusText(), r.Writes, plural(r.Writes, "", "s"),
				r.StartedAt.Format(time.RFC3339))
			if r.Error != "" {
				fmt.Fprintf(env.Stdout, "    error: %s\n", oneLine(r.Error, 200))
			}
			for _, w := range r.WritesMade {
				fmt.Fprintf(env.Stdout, "    write %s\n", w.text())
			}
		}
	}
	fmt.Fprintln(env.Stdout, "\nShow an event's payload with: tote runs show RUN")
	return exitOK
}

func eventStatusText(ev eventView) string {
	if ev.NextTry.IsZero() {
		return ev.Status
	}
	return "waiting to retry (next " + ev.NextTry.Format(time.RFC3339) + ")"
}

// listRejections prints the webhook deliveries tote run refused, newest
// first: when, the path, the status and the reason; never the body.
func listRejections(ctx context.Context, env Env, store *state.Store, since time.Time, limit int, asJSON bool) int {
	rs, err := store.Rejections(ctx, since, limit)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return exitError
	}
	type view struct {
		At     time.Time `json:"at"`
		Path   string    `json:"path"`
		Status int       `json:"status"`
		Reason string    `json:"reason"`
	}
	views := []view{}
	for _, r := range rs {
		views = append(views, view{At: r.At.UTC(), Path: r.Path, Status: r.Status, Reason: r.Reason})
	}
	if asJSON {
		writeJSON(env.Stdout, map[string]any{"rejections": views})
		return exitOK
	}
	if len(views) == 0 {
		fmt.Fprintln(env.Stdout, "No webhook deliveries were refused.")
		return exitOK
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tPATH\tSTATUS\tREASON")
	for _, v := range views {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", v.At.Format(time.RFC3339), v.Path, v.Status, oneLine(v.Reason, 100))
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "\n%d refused deliver%s shown (the state keeps the newest %d).\n",
		len(views), plural(len(views), "y", "ies"), state.KeepRejections)
	return exitOK
}
