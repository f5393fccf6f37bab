package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/toteworks/tote/engine/state"
)

func cmdRuns(ctx context.Context, env Env, args []string) int {
	fs := newFlags("runs", "runs [list [-order ID | -sku SKU | -rejected] [-pipeline P] [-status S] [-since D] [-limit N] | show ID] [-json]", env.Stderr)
	var c common
	c.register(fs, env, true)
	pipeline := fs.String("pipeline", "", "only this pipeline")
	status := fs.String("status", "", "only runs with this status: running, succeeded, failed, dead, parked")
	limit := fs.Int("limit", 50, "at most this many runs")
	asJSON := fs.Bool("json", false, "print as JSON")
	order := fs.String("order", "", "every event and run that concerned this BigCommerce order id")
	sku := fs.String("sku", "", "every event and run that concerned this SKU")
	since := fs.Duration("since", 0, "only what happened in this past span, e.g. 24h")
	rejected := fs.Bool("rejected", false, "list the webhook deliveries tote run refused")
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	store, code := existingState(ctx, env, c.state)
	if store == nil {
		return code
	}
	defer store.Close()
	sub := "list"
	if len(pos) > 0 {
		sub = pos[0]
	}
	var from time.Time
	if *since > 0 {
		from = env.Now().Add(-*since)
	}
	switch {
	case sub != "list":
	case *rejected:
		return listRejections(ctx, env, store, from, *limit, *asJSON)
	case *order != "" && *sku != "":
		fmt.Fprintln(env.Stderr, "Error: give -order or -sku, not both")
		return exitError
	case *order != "" || *sku != "":
		subject := state.Subject{Kind: "order", Value: *order}
		if *sku != "" {
			subject = state.Subject{Kind: "sku", Value: *sku}
		}
		return runsFind(ctx, env, store, subject, state.SearchFilter{Pipeline: *pipeline, Since: from, Limit: *limit}, *status, *asJSON)
	}
	switch sub {
	case "list":
		runs, err := store.Runs(ctx, state.RunFilter{Pipeline: *pipeline, Status: state.RunStatus(*status), Limit: *limit, Since: from})
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		counts, err := store.InboxCounts(ctx)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		if *asJSON {
			writeJSON(env.Stdout, map[string]any{"runs": runs, "inbox": counts})
			return exitOK
		}
		views, err := viewRuns(ctx, store, runs)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RUN\tPIPELINE\tTRIGGER\tEVENT\tSTATUS\tWRITES\tSTARTED\tERROR")
		for _, r := range views {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.ID, r.Pipeline, r.Trigger, r.EventKey, r.statusText(), r.Writes,
				r.StartedAt.Format(time.RFC3339), oneLine(r.Error, 60))
		}
		tw.Flush()
		waiting, err := store.WaitingToRetry(ctx)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		fmt.Fprintf(env.Stdout, "\nInbox: %d pending, %d running, %d done, %d dead, %d parked.\n",
			counts[state.ItemPending], counts[state.ItemRunning], counts[state.ItemDone], counts[state.ItemDead], counts[state.ItemParked])
		if waiting > 0 {
			fmt.Fprintf(env.Stdout, "Of the pending, %d ran before and wait%s to retry.\n", waiting, plural(waiting, "s", ""))
		}
		if n := counts[state.ItemParked]; n > 0 {
			fmt.Fprintf(env.Stdout, "%d event%s parked: a write's outcome is unknown and cannot be read back. Check the vendor, then tote retry ITEM to make it again.\n",
				n, plural(n, " is", "s are"))
		}
		return exitOK
	case "show":
		if len(pos) != 2 {
			fmt.Fprintln(env.Stderr, "Error: tote runs show ID")
			return exitError
		}
		r, attempts, err := store.Run(ctx, pos[1])
		if errors.Is(err, state.ErrNotFound) {
			fmt.Fprintf(env.Stderr, "Error: no run %q\n", pos[1])
			return exitError
		}
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		unknown, err := store.UnknownIntents(ctx, r.ID)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		var payload []byte
		if ev, err := store.RunEvent(ctx, r.ID); err == nil && len(ev) > 0 {
			payload = ev // the records the run fetched, already without personal data
		} else if r.ItemID != 0 {
			if it, err := store.Item(ctx, r.ItemID); err == nil {
				payload = redactedPayload(it)
			}
		}
		ws, err := store.WritesOfRun(ctx, r.ID)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		writes := viewWrites(ws)
		if *asJSON {
			writeJSON(env.Stdout, map[string]any{"run": r, "attempts": attempts, "event": json.RawMessage(payload),
				"write_targets": writes, "unknown_writes": unknownView(unknown)})
			return exitOK
		}
		fmt.Fprintf(env.Stdout, "Run %s\n  pipeline: %s\n  trigger:  %s\n  event:    %s\n  status:   %s\n  writes:   %d\n  started:  %s\n",
			r.ID, r.Pipeline, r.Trigger, r.EventKey, r.Status, r.Writes, r.StartedAt.UTC().Format(time.RFC3339))
		if !r.FinishedAt.IsZero() {
			fmt.Fprintf(env.Stdout, "  finished: %s\n", r.FinishedAt.UTC().Format(time.RFC3339))
		}
		if r.Error != "" {
			fmt.Fprintf(env.Stdout, "  error:    %s\n", r.Error)
		}
		if len(unknown) > 0 {
			fmt.Fprintln(env.Stdout, "\nWrites whose outcome is unknown (not made again until tote retry):")
			for _, in := range unknown {
				fmt.Fprintf(env.Stdout, "  %s: %s %s via %s: %s\n", in.Step, in.Action, in.Identity, in.Connection, in.Error)
			}
			if r.ItemID != 0 {
				fmt.Fprintf(env.Stdout, "  Check the vendor; if it was not made, tote retry %d makes it again.\n", r.ItemID)
			}
		}
		fmt.Fprintln(env.Stdout, "\nSteps:")
		for _, a := range attempts {
			line := fmt.Sprintf("  %s attempt %d: %s", a.Step, a.Attempt, a.Status)
			if a.Error != "" {
				line += ": " + a.Error
			}
			fmt.Fprintln(env.Stdout, line)
		}
		printRunDetails(env.Stdout, payload, writes)
		return exitOK
	}
	fmt.Fprintf(env.Stderr, "Error: tote runs has no %q; use list or show ID\n", sub)
	return exitError
}

func cmdRetry(ctx context.Context, env Env, args []string) int {
	fs := newFlags("retry", "retry ITEM | retry -dead", env.Stderr)
	var c common
	c.register(fs, env, true)
	dead := fs.Bool("dead", false, "requeue every dead event")
	pos, err := parse(fs, args)
	if err != nil {
		return exitError
	}
	if *dead == (len(pos) == 1) || len(pos) > 1 {
		fmt.Fprintln(env.Stderr, "Error: give one event id (the item number of a run id, e.g. 12 for run 12.3) or -dead")
		return exitError
	}
	store, code := existingState(ctx, env, c.state)
	if store == nil {
		return code
	}
	defer store.Close()
	if *dead {
		n, err := store.RequeueDead(ctx)
		if err != nil {
			fmt.Fprintln(env.Stderr, "Error:", err)
			return exitError
		}
		fmt.Fprintf(env.Stdout, "Requeued %d dead event%s; tote run will process them.\n", n, plural(n, "", "s"))
		return exitOK
	}
	idText := pos[0]
	if i := indexByte(idText, '.'); i >= 0 {
		idText = idText[:i] // a run id names its event first
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		fmt.Fprintf(env.Stderr, "Error: %q is not an event id\n", pos[0])
		return exitError
	}
	if err := store.Requeue(ctx, id); err != nil {
		if errors.Is(err, state.ErrNotFound) {
			fmt.Fprintf(env.Stderr, "Error: no event %d\n", id)
		} else {
			fmt.Fprintln(env.Stderr, "Error:", err)
		}
		return exitError
	}
	fmt.Fprintf(env.Stdout, "Requeued event %d; tote run will process it.\n", id)
	return exitOK
}

func unknownView(ins []state.Intent) []map[string]string {
	out := []map[string]string{}
	for _, in := range ins {
		out = append(out, map[string]string{"step": in.Step, "connection": in.Connection, "action": in.Action,
			"identity": in.Identity, "error": in.Error})
	}
	return out
}

// existingState opens the state at path with opts, or says that there is
// none yet.
func existingState(ctx context.Context, env Env, path string, opts ...state.Option) (*state.Store, int) {
	if !stateExists(path) {
		fmt.Fprintf(env.Stderr, "Error: no state at %s yet; tote apply or tote run creates it.\n", path)
		return nil, exitError
	}
	st, err := openState(ctx, path, opts...)
	if err != nil {
		fmt.Fprintln(env.Stderr, "Error:", err)
		return nil, exitError
	}
	return st, exitOK
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func oneLine(s string, n int) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			s = s[:i] + " ..."
			break
		}
	}
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}
