package state

import "fmt"

// ItemStatus is the state of an inbox item. The string values are persisted
// in the inbox.status column and must never change.
type ItemStatus string

// Inbox item statuses (persisted values).
const (
	ItemPending    ItemStatus = "pending"    // waiting for not_before, then claimable
	ItemRunning    ItemStatus = "running"    // claimed by a worker under a lease
	ItemDone       ItemStatus = "done"       // its run finished
	ItemDead       ItemStatus = "dead"       // retries exhausted or a permanent error
	ItemSuperseded ItemStatus = "superseded" // replaced by a newer item (OverlapLatest)
	// ItemParked: a write of its run has an unknown outcome and cannot be
	// read back; it waits for a person (tote retry), never retried alone.
	ItemParked ItemStatus = "parked"
)

// itemStatuses lists every ItemStatus, in lifecycle order.
var itemStatuses = []ItemStatus{ItemPending, ItemRunning, ItemDone, ItemDead, ItemParked, ItemSuperseded}

// RunStatus is the state of a run. The string values are persisted in the
// runs.status column and must never change.
type RunStatus string

// Run statuses (persisted values).
const (
	RunRunning   RunStatus = "running"
	RunSucceeded RunStatus = "succeeded"
	RunFailed    RunStatus = "failed" // this attempt failed; the item may be retried
	RunDead      RunStatus = "dead"   // failed for good; replayable with `tote retry`
	// RunParked made a write whose outcome is unknown and cannot be read
	// back; only `tote retry` makes it again.
	RunParked RunStatus = "parked"
)

// IntentStatus is the state of a write in the ledger. The string values are
// persisted in the intents.status column and must never change.
type IntentStatus string

// Intent statuses (persisted values).
const (
	IntentPending IntentStatus = "pending" // committed before the external write
	IntentDone    IntentStatus = "done"    // the write happened; output recorded
	IntentFailed  IntentStatus = "failed"  // the write was refused by the target, or did not happen
	// IntentUnknown is a write that may or may not have happened and cannot
	// be read back; it waits for a person (tote retry).
	IntentUnknown IntentStatus = "unknown"
)

// Overlap says what Enqueue does when items of the same pipeline and trigger
// are already waiting or running: a cron trigger's overlap argument. It is
// not persisted.
type Overlap int

// Overlap policies.
const (
	// OverlapAll inserts the item regardless of other items.
	OverlapAll Overlap = iota
	// OverlapSkip declines the item while an item of the same pipeline and
	// trigger is pending or running.
	OverlapSkip
	// OverlapLatest marks pending items of the same pipeline and trigger
	// superseded, then inserts the item.
	OverlapLatest
)

// overlapNames are the overlap argument's values.
var overlapNames = [...]string{OverlapAll: "all", OverlapSkip: "skip", OverlapLatest: "latest"}

// String is the policy's name in the language.
func (o Overlap) String() string {
	if o < OverlapAll || o > OverlapLatest {
		return fmt.Sprintf("Overlap(%d)", int(o))
	}
	return overlapNames[o]
}

// ParseOverlap returns the policy a cron trigger's overlap argument names.
func ParseOverlap(s string) (Overlap, error) {
	for o, name := range overlapNames {
		if s == name {
			return Overlap(o), nil
		}
	}
	return 0, fmt.Errorf("unknown overlap policy %q; want \"skip\", \"all\" or \"latest\"", s)
}
