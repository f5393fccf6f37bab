// Package sandbox wires tote's fake vendors together: the fake BigCommerce
// and ShipStation servers and the SMTP capture server, started with the
// fixed sandbox credentials and seed data, for `tote fakes` and
// `tote sandbox`.
package sandbox

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/email/emailtest"
	"github.com/toteworks/tote/connectors/shipstation/shipstationtest"
)

// The fixed sandbox credentials.
const (
	StoreHash       = "sandbox"
	AccessToken     = "sandbox-token"
	ClientSecret    = "sandbox-secret"
	ShipStationKey  = "sandbox-key"
	ShipStationPass = "sandbox-secret"
	ShipStationV2   = "sandbox-v2-key"
)

// Addresses are where the fakes listen.
type Addresses struct {
	BigCommerce string // default 127.0.0.1:7401
	ShipStation string // default 127.0.0.1:7402
	SMTP        string // default 127.0.0.1:7425
	Mail        string // default 127.0.0.1:7426 (captured mail as JSON at GET /messages)
}

// DefaultAddresses are the documented defaults.
var DefaultAddresses = Addresses{
	BigCommerce: "127.0.0.1:7401",
	ShipStation: "127.0.0.1:7402",
	SMTP:        "127.0.0.1:7425",
	Mail:        "127.0.0.1:7426",
}

// Fakes are the three running fake servers.
type Fakes struct {
	BigCommerce *bigcommercetest.Server
	ShipStation *shipstationtest.Server
	Mail        *emailtest.Server
	// Foreign are other channels' orders in the ShipStation account, whose
	// numbers equal the first BigCommerce order ids.
	Foreign shipstationtest.ForeignSeed
}

// firstOrderID is the id the fake BigCommerce gives its first order.
const firstOrderID = 100

// Options configure the fakes.
type Options struct {
	Addresses Addresses
	// Seed makes generated data and fault decisions reproducible.
	Seed uint64
	// BigCommerceQuota is requests per 30 s (default 150, the real
	// Standard plan); ShipStationPerMinute is v1 requests per minute
	// (default 40, the real limit). Tests raise them to run fast.
	BigCommerceQuota     int
	ShipStationPerMinute int
	// ShipStationWindow shortens ShipStation's one-minute rate-limit
	// window (ShipStationPerMinute then counts per window), so a 429's
	// reset comes in seconds. Tests use it; zero keeps the real minute.
	ShipStationWindow time.Duration
	// ShipStationV2PerMinute is v2 requests per window (default 200, the real limit).
	ShipStationV2PerMinute int
	// SignWebhooks makes fake BigCommerce sign its deliveries.
	SignWebhooks bool
}

// StartFakes starts the three fakes, seeded with the default catalog,
// channels, warehouses and tags, and other channels' orders in ShipStation
// whose numbers collide with BigCommerce's first order ids.
func StartFakes(opts Options) (*Fakes, error) {
	addrs, seed := opts.Addresses, opts.Seed
	f := &Fakes{}
	var err error
	f.BigCommerce, err = bigcommercetest.Start(addrs.BigCommerce, bigcommercetest.Options{
		StoreHash: StoreHash, AccessToken: AccessToken, ClientSecret: ClientSecret, Seed: seed,
		AllowHTTPWebhooks: true, RateLimit: bigcommercetest.RateLimit{Quota: opts.BigCommerceQuota}, SignWebhooks: opts.SignWebhooks,
	})
	if err != nil {
		return nil, err
	}
	if err := f.BigCommerce.SeedDefault(); err != nil {
		f.Close()
		return nil, fmt.Errorf("seeding the BigCommerce fake: %w", err)
	}
	f.ShipStation, err = shipstationtest.Start(addrs.ShipStation, shipstationtest.Options{
		APIKey: ShipStationKey, APISecret: ShipStationPass, V2APIKey: ShipStationV2, Seed: seed,
		RateLimit: opts.ShipStationPerMinute, V2RateLimit: opts.ShipStationV2PerMinute, RateWindow: opts.ShipStationWindow,
	})
	if err != nil {
		f.Close()
		return nil, err
	}
	if f.Foreign, err = f.ShipStation.SeedForeign(firstOrderID); err != nil {
		f.Close()
		return nil, fmt.Errorf("seeding the ShipStation fake's other channels: %w", err)
	}
	f.Mail, err = emailtest.Start(addrs.SMTP, addrs.Mail, emailtest.Options{Seed: seed})
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Close stops every fake that was started.
func (f *Fakes) Close() error {
	var errs []error
	if f.BigCommerce != nil {
		f.BigCommerce.Close()
	}
	if f.ShipStation != nil {
		f.ShipStation.Close()
	}
	if f.Mail != nil {
		errs = append(errs, f.Mail.Close())
	}
	return errors.Join(errs...)
}

// Describe writes where the fakes are and how to reach them.
func (f *Fakes) Describe(w io.Writer) {
	fmt.Fprintf(w, "BigCommerce  %s/stores/%s/v2|v3/...\n", f.BigCommerce.URL, StoreHash)
	fmt.Fprintf(w, "             X-Auth-Token: %s  (client secret %s signs webhooks with -sign-webhooks)\n", AccessToken, ClientSecret)
	fmt.Fprintf(w, "             simulate a shopper: POST %s/_sim/orders\n", f.BigCommerce.URL)
	fmt.Fprintf(w, "ShipStation  %s (v1, Basic %s:%s)  %s/v2 (API-Key %s)\n", f.ShipStation.URL, ShipStationKey, ShipStationPass, f.ShipStation.URL, ShipStationV2)
	fmt.Fprintf(w, "             simulate the warehouse: POST %s/_sim/orders/{orderId}/ship\n", f.ShipStation.URL)
	fmt.Fprintf(w, "SMTP         %s  (captured mail: GET %s/messages)\n", f.Mail.SMTPAddr(), f.Mail.URL())
	fmt.Fprintf(w, "Faults       POST /_sim/faults on either vendor, e.g. {\"error_rate\": 0.2}\n")
}
