package bigcommercetest

import (
	"net/http"
	"time"

	"github.com/toteworks/tote/connectors/internal/fakekit"
)

// Faults are the run-time fault knobs (error rate, 429 storms, latency, hangs,
// malformed bodies, duplicate and dropped webhooks).
type Faults = fakekit.Faults

// Clock is the settable clock the fake reads time from.
type Clock = fakekit.Clock

// RateLimit is the per-store request quota.
type RateLimit struct {
	Quota  int           // requests per window; default 150 (Standard and Plus plans)
	Window time.Duration // default 30s
}

// Options configure a Server. The zero value is a usable sandbox store.
type Options struct {
	StoreHash    string // default "sandbox"
	AccessToken  string // X-Auth-Token; default "sandbox-token"
	ClientID     string // API account client id; default "sandbox-client"
	ClientSecret string // signs webhooks; default "sandbox-secret"
	StoreID      string // numeric store id, sent as webhook store_id; default "1000001"
	Seed         uint64 // seeds fault decisions and generated ids
	// SKUPrefix starts the SKUs SeedCatalog makes ("SKU" by default, as in
	// SKU-0003): stores seeded with one prefix share their SKUs.
	SKUPrefix string

	RateLimit RateLimit
	// Clock is the fake's "now" (order dates, rate-limit windows, webhook
	// timestamps). Nil follows the wall clock.
	Clock *fakekit.Clock

	// WebhookTimeFactor scales the retry schedule; 0 means 1 (the real
	// 60 s ... 86400 s schedule). Tests use something like 1e-6.
	WebhookTimeFactor float64
	// WebhookRetrySchedule replaces the documented retry delays when set.
	WebhookRetrySchedule []time.Duration
	// WebhookTimeout bounds one delivery attempt; default 10s (inferred).
	WebhookTimeout time.Duration
	// AllowHTTPWebhooks lets hooks point at http:// or any port on a
	// loopback host. Without it destinations must be https on port 443.
	AllowHTTPWebhooks bool
	// WebhookClient sends deliveries; nil uses a plain client with WebhookTimeout.
	WebhookClient *http.Client
	// SignWebhooks adds the Standard Webhooks headers (webhook-id,
	// webhook-timestamp, webhook-signature) to deliveries. Off by default:
	// their presence for store-level API accounts is unverified, and a
	// receiver must then rely on the hook's custom headers.
	SignWebhooks bool

	WeightUnits    string // /v2/store weight_units; default "Ounces"
	DimensionUnits string // /v2/store dimension_units; default "Inches"
	Timezone       string // IANA name for /v2/store; default "America/Chicago"

	// Knobs for behaviour the reference marks inferred.

	// ListIncompleteOrders makes unfiltered order lists include status 0
	// (Incomplete) orders; by default they appear only with status_id=0.
	ListIncompleteOrders bool
	// EmptySubListsAsArray answers empty v2 sub-resource lists (order
	// products, shipping addresses, shipments) 200 [] instead of 204.
	EmptySubListsAsArray bool
	// RejectLimitOver250 answers limit>250 with 413 instead of clamping.
	RejectLimitOver250 bool
	// AllowTrailingSlash serves paths with a trailing slash; by default they
	// are answered 403 as a 2017 report shows.
	AllowTrailingSlash bool
	// KeepShippedOnShipmentDelete leaves quantity_shipped unchanged when a
	// shipment is deleted; by default it is given back.
	KeepShippedOnShipmentDelete bool
	// AllowOversell lets orders take tracked stock below zero; by default an
	// order for more than is on hand is refused (400).
	AllowOversell bool
	// RestockOnCancel returns order stock when status becomes Cancelled (5).
	RestockOnCancel bool
	// StockUpdate is the store's setting for when an order takes its
	// stock; default (and for an unknown value) StockOnOrderPlaced,
	// BigCommerce's default and the harder one for tote.
	// POST /_sim/inventory-settings changes it.
	StockUpdate StockUpdate
	// DuplicateHookStatus answers a second hook with the same scope and
	// destination; default 422.
	DuplicateHookStatus int
	// RefundBusyFor is how long (fake clock) a refund's payment stays in
	// progress; another refund on the same order in that time is refused
	// with RefundBusyStatus (default 422). Zero means refunds settle at once.
	RefundBusyFor    time.Duration
	RefundBusyStatus int
	// TrackingCarriers are the tracking_carrier slugs a shipment may name;
	// nil means DefaultTrackingCarriers. BigCommerce accepts AfterShip's
	// courier slugs; the fake refuses anything else with 400, as a wrong
	// slug is the likelier failure for tote.
	TrackingCarriers []string
	// AnyTrackingCarrier accepts every tracking_carrier value.
	AnyTrackingCarrier bool
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.StoreHash, "sandbox")
	def(&o.AccessToken, "sandbox-token")
	def(&o.ClientID, "sandbox-client")
	def(&o.ClientSecret, "sandbox-secret")
	def(&o.StoreID, "1000001")
	def(&o.WeightUnits, "Ounces")
	def(&o.DimensionUnits, "Inches")
	def(&o.Timezone, "America/Chicago")
	if o.RateLimit.Quota <= 0 {
		o.RateLimit.Quota = 150
	}
	if o.RateLimit.Window <= 0 {
		o.RateLimit.Window = 30 * time.Second
	}
	if o.WebhookTimeFactor <= 0 {
		o.WebhookTimeFactor = 1
	}
	if o.WebhookRetrySchedule == nil {
		for _, s := range []int{60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400} {
			o.WebhookRetrySchedule = append(o.WebhookRetrySchedule, time.Duration(s)*time.Second)
		}
	}
	if o.WebhookTimeout <= 0 {
		o.WebhookTimeout = 10 * time.Second
	}
	if o.DuplicateHookStatus == 0 {
		o.DuplicateHookStatus = http.StatusUnprocessableEntity
	}
	if o.RefundBusyStatus == 0 {
		o.RefundBusyStatus = http.StatusUnprocessableEntity
	}
	if !o.StockUpdate.valid() {
		o.StockUpdate = StockOnOrderPlaced
	}
	if o.Clock == nil {
		o.Clock = &fakekit.Clock{}
	}
	return o
}
