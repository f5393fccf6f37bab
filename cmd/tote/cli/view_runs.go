package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/toteworks/tote/engine/personal"
	"github.com/toteworks/tote/engine/state"
)

// runView is a run as `tote runs` shows it: its recorded status, unless
// its event has moved on since (see shownStatus).
type runView struct {
	ID        string    `json:"id"`
	Pipeline  string    `json:"pipeline"`
	Trigger   string    `json:"trigger"`
	EventKey  string    `json:"event_key"`
	Status    string    `json:"status"`
	Writes    int       `json:"writes"`
	StartedAt time.Time `json:"started_at"`
	NextTry   time.Time `json:"next_attempt_at,omitzero"`
	Error     string    `json:"error,omitempty"`
}

// shownStatus is what a run's status means now. A run whose event waits to
// be tried again is "retrying" (its attempt failed) or "waiting" (its
// target was not ready), with the time of the next attempt; a run recorded
// as running whose event is no longer running was interrupted (a killed
// process, an apply stopped with ^C). Only the event's latest run is
// relabelled.
func shownStatus(r state.Run, it *state.Item, latest bool) (string, time.Time) {
	status := string(r.Status)
	if it == nil {
		return status, time.Time{}
	}
	switch {
	case r.Status == state.RunRunning && it.Status != state.ItemRunning:
		return "interrupted", time.Time{}
	case latest && it.Status == state.ItemPending && r.Status == state.RunFailed:
		return "retrying", it.NotBefore
	case latest && it.Status == state.ItemPending && r.Status == state.RunSucceeded && strings.HasPrefix(it.LastError, "waiting: "):
		return "waiting", it.NotBefore
	}
	return status, time.Time{}
}

// viewRuns relabels runs by the state of their events. latest names, per
// item, the run that started last among those recorded.
func viewRuns(ctx context.Context, store *state.Store, runs []state.Run) ([]runView, error) {
	items := map[int64]*state.Item{}
	var ids []int64
	for _, r := range runs {
		if _, seen := items[r.ItemID]; r.ItemID == 0 || seen {
			continue
		}
		it, err := store.Item(ctx, r.ItemID)
		if err != nil {
			items[r.ItemID] = nil
			continue
		}
		items[r.ItemID] = &it
		ids = append(ids, r.ItemID)
	}
	// The items' runs in a few queries rather than one an item; they come
	// newest first, so an item's first is its latest.
	latest := map[int64]string{}
	for len(ids) > 0 {
		n := min(len(ids), runsOfItemsBatch)
		all, err := store.RunsOfItems(ctx, ids[:n])
		if err != nil {
			return nil, err
		}
		for _, r := range all {
			if _, ok := latest[r.ItemID]; !ok {
				latest[r.ItemID] = r.ID
			}
		}
		ids = ids[n:]
	}
	out := make([]runView, 0, len(runs))
	for _, r := range runs {
		out = append(out, viewRun(r, items[r.ItemID], latest[r.ItemID] == r.ID))
	}
	return out, nil
}

// runsOfItemsBatch bounds the items whose runs one query reads, well under
// the database's limit on a statement's parameters.
const runsOfItemsBatch = 500

// viewRun is one run as shown, given its event (nil when it has none) and
// whether it is that event's latest run.
func viewRun(r state.Run, it *state.Item, latest bool) runView {
	status, next := shownStatus(r, it, latest)
	return runView{ID: r.ID, Pipeline: r.Pipeline, Trigger: r.Trigger, EventKey: r.EventKey, Status: status,
		Writes: r.Writes, StartedAt: r.StartedAt.UTC(), NextTry: next.UTC(), Error: r.Error}
}

// statusText is a run's status with the time of its next attempt.
func (v runView) statusText() string {
	if v.NextTry.IsZero() {
		return v.Status
	}
	return v.Status + " (next " + v.NextTry.Format(time.RFC3339) + ")"
}

// writeView is a write of a run and its target.
type writeView struct {
	Connection string            `json:"connection"`
	Action     string            `json:"action"`
	Identity   string            `json:"identity"`
	Op         string            `json:"op,omitempty"`
	Status     string            `json:"status"`
	VendorIDs  map[string]string `json:"vendor_ids,omitempty"`
	Error      string            `json:"error,omitempty"`
}

func viewWrites(ws []state.Write) []writeView {
	out := make([]writeView, 0, len(ws))
	for _, w := range ws {
		out = append(out, writeView{Connection: w.Connection, Action: w.Action, Identity: w.Identity, Op: w.Op,
			Status: string(w.Status), VendorIDs: vendorIDs(w.Output), Error: w.Error})
	}
	return out
}

// vendorIDs picks the ids a write's output names at its top level: "id"
// and keys ending in Id or _id (orderId, shipment_id).
func vendorIDs(output []byte) map[string]string {
	var doc map[string]json.RawMessage
	if len(output) == 0 || json.Unmarshal(output, &doc) != nil {
		return nil
	}
	out := map[string]string{}
	for k, raw := range doc {
		if k != "id" && !strings.HasSuffix(k, "Id") && !strings.HasSuffix(k, "_id") && !strings.HasSuffix(k, "ID") {
			continue
		}
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(raw, &s) == nil && s != "":
			out[k] = s
		case json.Unmarshal(raw, &n) == nil:
			out[k] = n.String()
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (w writeView) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", w.Connection, w.Action, w.Identity)
	if w.Op != "" {
		fmt.Fprintf(&b, " %s", w.Op)
	}
	fmt.Fprintf(&b, ": %s", w.Status)
	keys := make([]string, 0, len(w.VendorIDs))
	for k := range w.VendorIDs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, w.VendorIDs[k])
	}
	if w.Error != "" {
		fmt.Fprintf(&b, " (%s)", oneLine(w.Error, 120))
	}
	return b.String()
}

// printRunDetails prints what `tote runs show` adds to a run's steps: its
// event's payload, with personal data redacted, and each write's target.
func printRunDetails(w io.Writer, payload []byte, writes []writeView) {
	if len(payload) > 0 {
		fmt.Fprintln(w, "\nEvent (personal data redacted):")
		var pretty bytes.Buffer
		if json.Indent(&pretty, payload, "  ", "  ") != nil {
			pretty.Reset()
			pretty.Write(payload)
		}
		fmt.Fprintf(w, "  %s\n", pretty.String())
	}
	if len(writes) > 0 {
		fmt.Fprintln(w, "\nWrites:")
		for _, wr := range writes {
			fmt.Fprintf(w, "  %s\n", wr.text())
		}
	}
}

// redactedPayload is an item's stored event with personal data removed.
func redactedPayload(it state.Item) json.RawMessage {
	if len(it.Payload) == 0 {
		return nil
	}
	return personal.JSON(it.Payload)
}
