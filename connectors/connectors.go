// Package connectors is the boundary between tote's engine and the outside
// world. A Connector describes itself with a Spec (its connection settings,
// actions and triggers) and opens a Conn per configured connection; the engine
// reaches vendors only through these interfaces and never names a concrete
// connector. cmd/tote builds the Registry explicitly.
package connectors

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// Connector is one kind of external system (a vendor, a protocol).
type Connector interface {
	// Spec describes the connector. It must return the same value every call.
	Spec() Spec
	// Open returns a connection configured by a connection block.
	Open(ctx context.Context, cfg Config) (Conn, error)
}

// Config is what a connection block resolved to.
type Config struct {
	// Name is the connection's name: connection.<type>.<name>.
	Name string
	// Values is the decoded connection block, of Spec.Config's type, with
	// every value known and no marks. Sensitive values must never be logged
	// or put in errors.
	Values cty.Value
	// Logger already names the connection; nil means discard.
	Logger *slog.Logger
	// Observer, when not nil, is told about each vendor request.
	Observer Observer
}

// ActionKind says whether an action reads or writes.
type ActionKind string

// Action kinds. Reads run during plan; writes are planned, then applied.
const (
	Read  ActionKind = "read"
	Write ActionKind = "write"
)

// Spec describes a connector: it drives parsing, validation, listing and docs.
type Spec struct {
	// Type is the connector's name in the language: connection "<type>" "<name>",
	// actions <type>.<action>, triggers "<type>_<kind>".
	Type     string
	Doc      string
	Config   schema.Object
	Actions  []ActionSpec
	Triggers []TriggerSpec
	// RouteKey, when set, names what one connection of this connector
	// serves among the records other connectors' events carry: a
	// BigCommerce store is "bigcommerce:<store_hash>" (orderkey.RouteKey).
	// A pipeline with for_each over these connections gets, in each
	// instance, only the records of its connection's key (TriggerSpec.Route).
	// It is given the connection's unmarked settings and returns "" when
	// they do not say yet (offline).
	RouteKey func(config cty.Value) string
}

// Action returns the action with the given name.
func (s Spec) Action(name string) (ActionSpec, bool) {
	for _, a := range s.Actions {
		if a.Name == name {
			return a, true
		}
	}
	return ActionSpec{}, false
}

// Trigger returns the trigger with the given kind.
func (s Spec) Trigger(kind string) (TriggerSpec, bool) {
	for _, t := range s.Triggers {
		if t.Kind == kind {
			return t, true
		}
	}
	return TriggerSpec{}, false
}

// ActionSpec describes one action.
type ActionSpec struct {
	Name string
	Doc  string
	Kind ActionKind
	// Args are the step body's attributes besides the meta-arguments.
	Args schema.Object
	// Output is the type of step.<name>.output.
	Output cty.Type
	// Identity names the arguments that identify the record a write targets.
	// Writes with equal identities touch the same record; the engine derives
	// idempotency keys and links from them. Required for writes.
	Identity []string
	// Guarantee says what a write promises when its outcome is unknown (a
	// timeout, a lost answer, a crash). Required for writes.
	Guarantee Guarantee
}

// Guarantee is what a write action promises about repeats.
type Guarantee string

// Guarantees.
const (
	// Idempotent: the write sets its target to a value; making it twice is
	// the same as once, so an unknown outcome is simply planned again.
	Idempotent Guarantee = "idempotent"
	// ReadBack: the plan reads the target and finds an earlier write, so a
	// write whose answer was lost is recognised and made exactly once.
	ReadBack Guarantee = "read-back"
	// AtMostOnce: the write cannot be read back (an email, a relative stock
	// change). When its outcome is unknown it is not sent again: its run is
	// parked until a person retries it.
	AtMostOnce Guarantee = "at-most-once"
)

// Describe is a one-line explanation of the guarantee, for docs and views.
func (g Guarantee) Describe() string {
	switch g {
	case Idempotent:
		return "idempotent upsert: repeating it changes nothing"
	case ReadBack:
		return "exactly once by reading back: an earlier write is found before writing again"
	case AtMostOnce:
		return "at most once: an attempt whose outcome is unknown is parked for tote retry, never repeated"
	}
	return ""
}

// TriggerMode says how a trigger's events arrive.
type TriggerMode string

// Trigger modes.
const (
	// Webhook events arrive over HTTP at `tote run`'s ingress.
	Webhook TriggerMode = "webhook"
	// Poll events are fetched on a schedule from a cursor.
	Poll TriggerMode = "poll"
)

// TriggerSpec describes one trigger kind.
type TriggerSpec struct {
	// Kind is the trigger's block label, "<type>_<name>", e.g. "http_webhook".
	Kind string
	Doc  string
	Mode TriggerMode
	// Args are the trigger block's attributes besides the meta-arguments
	// (connection, and for polls schedule).
	Args schema.Object
	// Event is the object type of `trigger` for this trigger's events.
	Event cty.Type
	// Subjects, when set, names the orders and SKUs an event concerns
	// (see SubjectsOf). It is given an unmarked, wholly known event.
	Subjects SubjectFunc
	// Route, when set, splits one event by the route key of the records it
	// holds (see Spec.RouteKey), for a pipeline with for_each over another
	// connector's connections: each part has only the records of its key.
	// Records that name no key are left out, except that a part under
	// EveryInstance goes to each instance that has no part of its own. It
	// is given an unmarked, wholly known event.
	Route RouteFunc
}

// RouteFunc splits an event into parts by route key.
type RouteFunc func(event cty.Value) map[string]cty.Value

// EveryInstance is the route key of the part of an event that every
// instance of a for_each pipeline is given when none of the event's
// records is its own (e.g. other sales channels' records, which belong to
// no store and concern every one).
const EveryInstance = "*"

// Conn is an open connection. It must be safe for concurrent use.
type Conn interface {
	// Read runs a read action.
	Read(ctx context.Context, action string, args cty.Value) (cty.Value, error)
	// PlanWrite reads the target and says what a write action would change.
	// It must not write. args may contain unknown values (known after apply);
	// the identity arguments are always known.
	PlanWrite(ctx context.Context, action string, args cty.Value) (Change, error)
	// ApplyWrite performs a planned write and returns the action's output.
	ApplyWrite(ctx context.Context, w WriteRequest) (cty.Value, error)
	// Close releases the connection.
	Close() error
}

// WriteRequest is one write to perform.
type WriteRequest struct {
	Action string
	Args   cty.Value
	Change Change
	// Key is stable for the same intended write across retries and restarts;
	// connectors pass it on where the vendor supports idempotency.
	Key string
}

// Op is what a write will do to its target.
type Op string

// Ops, pinned: they appear in saved plans and in state.
const (
	OpCreate Op = "create"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
	OpNoop   Op = "noop"
)

// Change is a planned write.
type Change struct {
	Op Op
	// Before is the target's current record in the shape of After, or null.
	Before cty.Value
	// After is the desired record (usually the arguments).
	After cty.Value
	// Output is the action's output when Op is OpNoop (nothing will be
	// written, so the output is known now).
	Output cty.Value
	// Fingerprint identifies the version of the target that was read; apply
	// refuses to write when it changed since the plan. Empty when nothing was read.
	//
	// A write the ledger holds as done is repeated when the target planned
	// now differs from the one planned then, and an update is repeated
	// whenever the target no longer shows it. An update that must never be
	// repeated (a relative adjustment) leaves Fingerprint empty.
	Fingerprint string
	// Observed says a create was planned from a read of the target made
	// just now (under FreshReads): the target is not there, even if the
	// ledger holds the write as done (it was deleted since), so the write
	// is made again. Set it only where writing again is safe, as for an
	// upsert by key.
	Observed bool
	// Names are display names of vendor ids in Before and After, keyed by
	// the id as text (e.g. "12345" -> "Wholesale Store"), for ids the
	// connector already knows; plans print them beside the ids of fields
	// named like ids (storeId, tagIds, warehouse_id).
	Names map[string]string
}

// Event is one trigger event.
type Event struct {
	// Key deduplicates the event in the inbox (e.g. a webhook's hash).
	Key string
	// Data conforms to the trigger's Event type.
	Data cty.Value
}

// WebhookReceiver is implemented by connections that serve webhook triggers.
type WebhookReceiver interface {
	// Receive verifies and decodes one delivery. A rejected request returns
	// a *RequestError carrying the HTTP status to answer.
	Receive(ctx context.Context, trigger string, args cty.Value, r *http.Request, body []byte) ([]Event, error)
}

// RequestVerifier is implemented by webhook receivers that can check a
// delivery from its URL and headers alone (a token). The ingress calls it
// before it reads the body, so a caller without the token costs nothing
// but its headers; Receive still runs for deliveries that pass.
type RequestVerifier interface {
	// VerifyRequest returns a *RequestError for a request to refuse.
	VerifyRequest(trigger string, args cty.Value, r *http.Request) error
}

// EventResolver is implemented by connections whose webhook deliveries
// only point at the records (a URL to fetch) instead of carrying them:
// Receive enqueues the pointer at once, and the run fetches the records
// when it starts, with the run's retries.
type EventResolver interface {
	// ResolveEvent returns the event data of a webhook trigger with the
	// records filled in. Errors are ordinary run errors: retryable unless
	// marked Permanent.
	ResolveEvent(ctx context.Context, trigger string, args, data cty.Value) (cty.Value, error)
}

// Window bounds a poll.
type Window struct {
	// Cursor is where the previous poll stopped ("" on the first).
	Cursor string
	// From and To bound the poll in time when Cursor is empty or a window
	// was asked for (`tote plan -since`).
	From, To time.Time
}

// Poller is implemented by connections that serve poll triggers.
type Poller interface {
	// Poll returns the events in the window and the cursor to resume from.
	Poll(ctx context.Context, trigger string, args cty.Value, w Window) ([]Event, string, error)
}

// PagePoller is implemented by pollers that can hand over a window a page
// at a time, so that a plan of a long backlog (`tote plan -since 72h` over
// 100,000 orders) never holds all of it. Unlike Poll, it reads the whole
// window, however long.
type PagePoller interface {
	// PollPages calls page with each page's events, oldest first, and
	// returns the cursor to resume from after the last. An error from page
	// stops the poll and is returned as it is.
	PollPages(ctx context.Context, trigger string, args cty.Value, w Window, page func([]Event) error) (string, error)
}

// Subscription is a webhook registration at a vendor that a webhook
// trigger needs.
type Subscription struct {
	// Trigger is the trigger kind; Args its arguments.
	Trigger string
	Args    cty.Value
	// URL is where the vendor must deliver: tote run's public address
	// followed by /hooks/<pipeline>/<trigger>.
	URL string
}

// SubscriptionChange is one planned change to a vendor's registrations.
type SubscriptionChange struct {
	// Op is create (missing), update (present but inactive or different),
	// delete (under tote's address but wanted by no trigger) or noop.
	Op Op
	// ID is the vendor's id of an existing registration.
	ID string
	// Topic is what is subscribed to, e.g. "store/order/created".
	Topic string
	URL   string
	// Reason says why, for people reading the plan.
	Reason string
}

// Subscriber is implemented by connections whose webhook triggers need
// registrations at the vendor. `tote plan` shows the changes, `tote apply`
// makes them, and `tote run` repairs (creates and re-activates) them.
type Subscriber interface {
	// PlanSubscriptions compares want with the vendor's registrations.
	// Registrations whose URL starts with prefix and that nothing wants are
	// planned for deletion; registrations elsewhere are left alone.
	PlanSubscriptions(ctx context.Context, want []Subscription, prefix string) ([]SubscriptionChange, error)
	// ApplySubscription makes one planned change.
	ApplySubscription(ctx context.Context, c SubscriptionChange) error
}
