package service_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/toteworks/tote/engine/compile"
	"github.com/toteworks/tote/engine/config"
	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/service"
	"github.com/toteworks/tote/engine/state"
	"github.com/zclconf/go-cty/cty"
)

// vendorHooks is a vendor whose webhook registration can be deactivated,
// as BigCommerce does after failed deliveries.
type vendorHooks struct {
	mu       sync.Mutex
	active   bool
	url      string
	repaired chan string
}

func (v *vendorHooks) Spec() connectors.Spec {
	return connectors.Spec{Type: "vendor", Doc: "test vendor", Triggers: []connectors.TriggerSpec{{
		Kind: "vendor_webhook", Mode: connectors.Webhook, Doc: "deliveries",
		Args:  schema.Object{},
		Event: cty.Object(map[string]cty.Type{"id": cty.String}),
	}}}
}

func (v *vendorHooks) Open(context.Context, connectors.Config) (connectors.Conn, error) {
	return v, nil
}
func (v *vendorHooks) Close() error { return nil }
func (v *vendorHooks) Read(context.Context, string, cty.Value) (cty.Value, error) {
	return cty.NilVal, nil
}
func (v *vendorHooks) PlanWrite(context.Context, string, cty.Value) (connectors.Change, error) {
	return connectors.Change{}, nil
}
func (v *vendorHooks) ApplyWrite(context.Context, connectors.WriteRequest) (cty.Value, error) {
	return cty.NilVal, nil
}
func (v *vendorHooks) Receive(context.Context, string, cty.Value, *http.Request, []byte) ([]connectors.Event, error) {
	return nil, nil
}

func (v *vendorHooks) PlanSubscriptions(_ context.Context, want []connectors.Subscription, _ string) ([]connectors.SubscriptionChange, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []connectors.SubscriptionChange
	for _, w := range want {
		switch {
		case v.url != w.URL:
			out = append(out, connectors.SubscriptionChange{Op: connectors.OpCreate, Topic: "orders", URL: w.URL, Reason: "missing"})
		case !v.active:
			out = append(out, connectors.SubscriptionChange{Op: connectors.OpUpdate, ID: "1", Topic: "orders", URL: w.URL, Reason: "deactivated after failed deliveries"})
		default:
			out = append(out, connectors.SubscriptionChange{Op: connectors.OpNoop, ID: "1", Topic: "orders", URL: w.URL})
		}
	}
	return out, nil
}

func (v *vendorHooks) ApplySubscription(_ context.Context, c connectors.SubscriptionChange) error {
	v.mu.Lock()
	v.url, v.active = c.URL, true
	v.mu.Unlock()
	v.repaired <- string(c.Op)
	return nil
}

// runRepair serves a one-pipeline program on vendor v until v sees its
// first subscription change, then stops the service; it returns that
// change's op and the service's log.
func runRepair(t *testing.T, v *vendorHooks) (op, log string) {
	t.Helper()
	reg := connectors.MustRegistry(func() connectors.Connector { return v })
	cfg, _ := config.Parse(map[string][]byte{"main.hcl": []byte(`
connection "vendor" "v" {}
pipeline "p" {
  trigger "vendor_webhook" "in" {}
}
`)})
	prog, diags := compile.Compile(cfg, compile.Options{Registry: reg})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	st, err := state.Open(context.Background(), filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	logs := &syncBuffer{}
	eng := run.New(prog, st, run.Options{})
	defer eng.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- service.Run(ctx, eng, service.Options{Listen: "127.0.0.1:0", PublicURL: "https://tote.example.com",
			SubscriptionEvery: time.Hour, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	}()
	select {
	case op = <-v.repaired:
	case err := <-done:
		t.Fatalf("service stopped: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return op, logs.String()
}

// tote run re-activates a registration the vendor deactivated, and logs it.
func TestRunRepairsDeactivatedSubscriptions(t *testing.T) {
	v := &vendorHooks{url: "https://tote.example.com/hooks/p/in", active: false, repaired: make(chan string, 4)}
	op, logs := runRepair(t, v)
	if op != "update" {
		t.Fatalf("repair op = %s, want update (re-activate)", op)
	}
	if !strings.Contains(logs, "repaired a webhook subscription") || !strings.Contains(logs, "repaired_total=1") {
		t.Fatalf("the repair was not logged and counted:\n%s", logs)
	}
}

// A registration tote run makes on its first check, because there was
// none, is logged as created, not as a repair.
func TestRunLogsFirstCreationAsCreated(t *testing.T) {
	v := &vendorHooks{repaired: make(chan string, 4)}
	op, got := runRepair(t, v)
	if op != "create" {
		t.Fatalf("op = %s, want create", op)
	}
	if strings.Contains(got, "repaired") || !strings.Contains(got, "created a webhook subscription") {
		t.Fatalf("the first creation was not logged as a creation:\n%s", got)
	}
}
