package status_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/toteworks/tote/connectors/conntest"
	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/worker"
)

// chromium returns the path of a Chromium or Chrome binary, or skips.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium binary found; install the chromium package to run the browser test")
	return ""
}

// screenshotDir is $TOTE_SCREENSHOTS, else a temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("TOTE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// In a real browser, the status page of a running service shows the
// pipelines, a dead event, and what a search for a SKU finds; its retry
// button queues the dead event again, and the order then reaches the
// vendor once.
func TestStatusPageInBrowser(t *testing.T) {
	bin := chromium(t)
	h := newHarness(t)
	r := h.start(t)

	h.mem.SetFaults(conntest.Faults{PermanentWrites: true})
	if code := post(t, r.addr, `{"id": "e-101", "order_id": 101, "items": [{"sku": "SKU-RED", "quantity": 2}]}`); code != 202 {
		t.Fatalf("delivery: %d", code)
	}
	if o := <-r.settled; o != worker.Buried {
		t.Fatalf("order 101 settled as %s, want dead", o)
	}
	h.mem.SetFaults(conntest.Faults{})
	if code := post(t, r.addr, `{"id": "e-102", "order_id": 102, "items": [{"sku": "SKU-BLUE", "quantity": 1}]}`); code != 202 {
		t.Fatalf("delivery: %d", code)
	}
	if o := <-r.settled; o != worker.Finished {
		t.Fatalf("order 102 settled as %s", o)
	}
	dead, err := h.store.Items(context.Background(), state.ItemFilter{Status: state.ItemDead})
	if err != nil || len(dead) != 1 {
		t.Fatalf("dead items: %v, %v", dead, err)
	}
	deadID := dead[0].ID

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.WindowSize(1280, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	bctx, cancelTimeout := context.WithTimeout(bctx, 60*time.Second)
	defer cancelTimeout()

	base := "http://" + r.addr
	dir := screenshotDir(t)
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return v
	}
	shoot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#pipelines"))); err != nil {
		t.Fatalf("loading the page: %v", err)
	}
	// The newest run of orders succeeded; the dead one failed within the hour.
	pipelines := text(`#pipelines tr[data-pipeline="orders"]`)
	for _, want := range []string{"orders", "succeeded", "1"} {
		if !strings.Contains(pipelines, want) {
			t.Errorf("pipeline row %q lacks %q", pipelines, want)
		}
	}
	if products := text(`#pipelines tr[data-pipeline="products"]`); !strings.Contains(products, "never") {
		t.Errorf("a pipeline that never ran shows %q", products)
	}
	if conns := text(`#connections tr[data-connection="connection.memory.m"]`); !strings.Contains(conns, "done") {
		t.Errorf("connection row %q", conns)
	}
	if queue := strings.Fields(text(`#queue tr[data-pipeline="orders"]`)); len(queue) != 6 || queue[4] != "1" || queue[5] != "0" {
		t.Errorf("queue row %q: want one dead, none parked", queue)
	}
	if parked := text(`#parked`); !strings.Contains(parked, "No parked events") {
		t.Errorf("parked section %q", parked)
	}
	deadRow := text(fmt.Sprintf(`#dead tr[data-item="%d"]`, deadID))
	if !strings.Contains(deadRow, "e-101") || !strings.Contains(deadRow, "Retry") {
		t.Errorf("dead row %q", deadRow)
	}
	shoot("status.png")

	// Search by SKU: the dead event and its run; not order 102's.
	if err := chromedp.Do(bctx,
		chromedp.SetValue(chromedp.CSS("#q"), "SKU-RED"),
		chromedp.Submit(chromedp.CSS("#q")),
		chromedp.WaitVisible(chromedp.CSS("#search-events")),
	); err != nil {
		t.Fatalf("searching: %v", err)
	}
	nodes, err := chromedp.Run(bctx, chromedp.Nodes(chromedp.CSSAll(`#search-events tr[data-item]`)))
	if err != nil {
		t.Fatal(err)
	}
	events := text("#search-events")
	if len(nodes) != 1 || !strings.Contains(events, "e-101") || strings.Contains(events, "e-102") {
		t.Errorf("search for SKU-RED found %d events: %q", len(nodes), events)
	}
	if runs := text("#search-runs"); !strings.Contains(runs, "dead") {
		t.Errorf("search runs %q lack the dead run", runs)
	}
	if writes := text("#search-writes"); !strings.Contains(writes, "bc:store:101") || !strings.Contains(writes, "failed") {
		t.Errorf("search writes %q lack the failed write", writes)
	}
	shoot("status-search.png")
	t.Logf("screenshots in %s", dir)

	// Retry: the event is queued again, runs, and order 101 is written once.
	if err := chromedp.Do(bctx,
		chromedp.Navigate(base+"/"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#dead tr[data-item="%d"] button.retry`, deadID))),
		chromedp.WaitVisible(chromedp.CSS("#notice")),
	); err != nil {
		t.Fatalf("retrying: %v", err)
	}
	notice := text("#notice")
	if !strings.Contains(notice, fmt.Sprint(deadID)) {
		t.Errorf("notice %q", notice)
	}
	select {
	case o := <-r.settled:
		if o != worker.Finished {
			t.Fatalf("the retried event settled as %s", o)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the retried event was not run")
	}
	it, err := h.store.Item(context.Background(), deadID)
	if err != nil || it.Status != state.ItemDone {
		t.Fatalf("retried item: %+v, %v", it, err)
	}
	if n := h.writesOf("bc:store:101"); n != 1 {
		t.Fatalf("order 101 written %d times at the vendor, want 1", n)
	}
}
