package shipstationtest

import (
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// Faults are the run-time fault knobs shared by tote's fakes.
type Faults = fakekit.Faults

// Options configure a Server. The zero value gives the sandbox credentials,
// the documented rate limits, the wall clock and the default seed data.
// Knobs below the credentials cover behaviours the reference marks as
// inferred; their zero values are the reference's best reading.
type Options struct {
	APIKey    string // v1 Basic user; default "sandbox-key"
	APISecret string // v1 Basic password; default "sandbox-secret"
	V2APIKey  string // v2 API-Key header; default "sandbox-v2-key"

	// Seed drives fault decisions, tracking numbers and label costs.
	Seed uint64
	// RateLimit is v1 requests per minute per key (default 40).
	RateLimit int
	// V2RateLimit is v2 requests per minute per key (default 200).
	V2RateLimit int
	// RateWindow is the length of a rate-limit window (default one minute,
	// as ShipStation's). Tests shorten it so a 429's reset comes soon;
	// RateLimit and V2RateLimit then count per window.
	RateWindow time.Duration
	// Clock is the source of time; nil follows the wall clock.
	Clock *fakekit.Clock
	// Bare skips SeedDefault: no stores, warehouses, tags or carriers.
	Bare bool
	// ResourceBaseURL replaces the server URL in webhook resource_url values.
	ResourceBaseURL string
	// WebhookTimeout bounds one webhook POST (default 10s).
	WebhookTimeout time.Duration

	// MaxRequestURI is the longest request URI (path and query, in bytes)
	// the gateway in front of both APIs accepts; a longer one is answered
	// 414 before it reaches the API. ShipStation documents no limit; the
	// default 8192 is the common gateway limit (see docs/vendor-notes.md).
	// Negative: no limit.
	MaxRequestURI int

	// DefaultPageSize is the v1 page size when none is asked (default 100).
	DefaultPageSize int
	// ClampPageSize clamps a v1 pageSize above 500 instead of answering 400.
	ClampPageSize bool
	// LockedOrders chooses the answer to an upsert of a shipped or cancelled order.
	LockedOrders LockPolicy
	// VoidKeepsShipped leaves an order shipped when its last label is voided
	// (by default it returns to awaiting_shipment).
	VoidKeepsShipped bool
	// NotifyReturnLabels makes return labels fire SHIP_NOTIFY (by default they do not).
	NotifyReturnLabels bool
	// HonorDateOffsets makes date filters honour a "Z" or "+hh:mm" suffix
	// (by default the wall clock part is read as Pacific and the offset ignored).
	HonorDateOffsets bool
	// ProductSKUMatch is how GET /products?sku= matches (default contains).
	ProductSKUMatch SKUMatch
	// V2AllowUnknownSKU lets POST /v2/inventory change stock of a SKU that
	// has no product record (by default that is a 400).
	V2AllowUnknownSKU bool
	// V2NoAllocation leaves open orders' units unallocated, so v2
	// available equals on_hand less what was allocated by hand. By default
	// the unshipped units of awaiting_shipment and on_hold orders are
	// allocated, and available = on_hand - allocated may be negative.
	V2NoAllocation bool
	// V2ReturnsKeepStock leaves on-hand stock alone when a v2 return label
	// is delivered (by default its units go back, as when a return is
	// received in the UI).
	V2ReturnsKeepStock bool
	// V2ReturnLabelsInV1 lists a v2 return label of a v1 order in v1
	// /shipments too (isReturnLabel, the same tracking number); by default
	// v1 does not list v2 labels.
	V2ReturnLabelsInV1 bool
	// FreeDeletedKeys lets createorder(s) with the orderKey of a deleted
	// order create a new order. By default the key stays with the deleted
	// order: the upsert replaces it and it stays deleted (hidden). The
	// reference does not say which (§7.3 "found", §7.7 soft delete).
	FreeDeletedKeys bool
	// TagsMoveModifyDate makes adding or removing an order's tag move its
	// modifyDate. By default it does not, so only /orders/listbytag finds
	// a newly tagged order (a modifyDate poll does not).
	TagsMoveModifyDate bool
}

// LockPolicy is the answer to createorder(s) on a shipped or cancelled order.
// In every policy the stored order is left unchanged.
type LockPolicy int

const (
	// LockDefault answers 200 with the unchanged order to createorder, and
	// success:false with an errorMessage in the createorders result.
	LockDefault LockPolicy = iota
	// LockSilent answers success to both, with the unchanged order.
	LockSilent
	// LockReject answers 400 to createorder and success:false in createorders.
	LockReject
)

// SKUMatch is how the product list's sku filter compares.
type SKUMatch int

const (
	// SKUContains matches SKUs containing the filter, ignoring case.
	SKUContains SKUMatch = iota
	// SKUPrefix matches SKUs starting with the filter, ignoring case.
	SKUPrefix
	// SKUExact matches the SKU exactly.
	SKUExact
)

func (o Options) withDefaults() Options {
	if o.APIKey == "" {
		o.APIKey = "sandbox-key"
	}
	if o.APISecret == "" {
		o.APISecret = "sandbox-secret"
	}
	if o.V2APIKey == "" {
		o.V2APIKey = "sandbox-v2-key"
	}
	if o.RateLimit <= 0 {
		o.RateLimit = 40
	}
	if o.V2RateLimit <= 0 {
		o.V2RateLimit = 200
	}
	if o.Clock == nil {
		o.Clock = new(fakekit.Clock)
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 10 * time.Second
	}
	if o.MaxRequestURI == 0 {
		o.MaxRequestURI = 8192
	}
	if o.DefaultPageSize <= 0 {
		o.DefaultPageSize = 100
	}
	return o
}
