package testscripts

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/toteworks/tote/connectors/bigcommerce/bigcommercetest"
	"github.com/toteworks/tote/connectors/sandbox"
)

// ssdelivered N: wait until the fake ShipStation has made N webhook
// deliveries; print each as "EVENT STATUS" (0 when dropped or failed).
func cmdSSDelivered(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: ssdelivered N")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ds, err := fakesOf(ts).ShipStation.WaitDeliveries(ctx, n)
	ts.Check(err)
	for _, d := range ds {
		fmt.Fprintf(ts.Stdout(), "%s %d\n", d.Event, d.StatusCode)
	}
}

// fakeOptions start the fakes on free loopback ports with the sandbox's
// seed. Generous limits keep scripts fast; the connections are told them.
func fakeOptions() sandbox.Options {
	any := "127.0.0.1:0"
	return sandbox.Options{Addresses: sandbox.Addresses{BigCommerce: any, ShipStation: any, SMTP: any, Mail: any},
		Seed: 1, BigCommerceQuota: 3000, ShipStationPerMinute: 200, ShipStationWindow: 2 * time.Second}
}

var fakesByScript sync.Map // script -> *sandbox.Fakes

// fakes: start the fake BigCommerce, ShipStation and SMTP servers with the
// sandbox credentials and seed data, and export what a pipeline's
// connections read: BIGCOMMERCE_STORE_HASH, BIGCOMMERCE_ACCESS_TOKEN,
// BIGCOMMERCE_CLIENT_SECRET, BIGCOMMERCE_API_URL, SHIPSTATION_API_KEY,
// SHIPSTATION_API_SECRET, SHIPSTATION_V2_API_KEY, SHIPSTATION_API_URL,
// SHIPSTATION_V2_API_URL, SMTP_HOST, SMTP_PORT and MAIL_URL.
func cmdFakes(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: fakes")
	}
	opts := fakeOptions()
	f, err := sandbox.StartFakes(opts)
	ts.Check(err)
	ts.Defer(func() { f.Close() })
	fakesByScript.Store(ts, f)
	for k, v := range f.Env(opts) {
		ts.Setenv(k, v)
	}
}

// mailreject RATE: the SMTP capture server answers this share of messages
// with a transient 451 (0 to accept every message again).
func cmdMailReject(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: mailreject RATE")
	}
	rate, err := strconv.ParseFloat(args[0], 64)
	ts.Check(err)
	fakesOf(ts).Mail.SetRejectRate(rate)
}

// maildrop N: the SMTP capture server keeps the next N messages and then
// closes their connection before answering the final dot.
func cmdMailDrop(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: maildrop N")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	fakesOf(ts).Mail.DropAnswers(n)
}

// secondstore: start a second fake BigCommerce store (hash "outlet") and
// export BIGCOMMERCE2_STORE_HASH, BIGCOMMERCE2_ACCESS_TOKEN,
// BIGCOMMERCE2_CLIENT_SECRET and BIGCOMMERCE2_API_URL.
func cmdSecondStore(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: secondstore")
	}
	startStore(ts, "outlet", "BIGCOMMERCE2", "", 2)
}

// store HASH ENVPREFIX [SKUPREFIX]: start another fake BigCommerce store
// with that hash (its catalog's SKUs start with SKUPREFIX, default SKU, as
// the main store's) and export ENVPREFIX_STORE_HASH, _ACCESS_TOKEN,
// _CLIENT_SECRET and _API_URL; `vendor HASH ...` calls it.
func cmdStore(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: store HASH ENVPREFIX [SKUPREFIX]")
	}
	prefix := ""
	if len(args) == 3 {
		prefix = args[2]
	}
	startStore(ts, args[0], args[1], prefix, 3+uint64(len(extraStoresOf(ts))))
}

func startStore(ts *testscript.TestScript, hash, env, skuPrefix string, seed uint64) {
	bc := bigcommercetest.NewServer(bigcommercetest.Options{StoreHash: hash, AccessToken: hash + "-token",
		ClientSecret: hash + "-secret", StoreID: fmt.Sprintf("%d", 1000000+seed), Seed: seed, AllowHTTPWebhooks: true,
		SKUPrefix: skuPrefix, RateLimit: bigcommercetest.RateLimit{Quota: 3000}})
	ts.Check(bc.SeedDefault())
	ts.Defer(bc.Close)
	extraStoresOf(ts)[hash] = bc
	ts.Setenv(env+"_STORE_HASH", hash)
	ts.Setenv(env+"_ACCESS_TOKEN", hash+"-token")
	ts.Setenv(env+"_CLIENT_SECRET", hash+"-secret")
	ts.Setenv(env+"_API_URL", bc.URL)
}

var extraStores sync.Map // script -> map[store hash]*bigcommercetest.Server

// extraStoresOf is the script's stores besides the sandbox's, by hash.
func extraStoresOf(ts *testscript.TestScript) map[string]*bigcommercetest.Server {
	m, _ := extraStores.LoadOrStore(ts, map[string]*bigcommercetest.Server{})
	return m.(map[string]*bigcommercetest.Server)
}

func fakesOf(ts *testscript.TestScript) *sandbox.Fakes {
	v, ok := fakesByScript.Load(ts)
	if !ok {
		ts.Fatalf("no fakes running; start them with: fakes")
	}
	return v.(*sandbox.Fakes)
}

// waitvendor bigcommerce|shipstation|mail PATH REGEXP: GET PATH from a
// fake until its answer matches REGEXP (another process is changing it).
func cmdWaitVendor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: waitvendor bigcommerce|shipstation|mail PATH REGEXP")
	}
	re, err := regexp.Compile(args[2])
	ts.Check(err)
	deadline := time.Now().Add(30 * time.Second)
	for {
		status, body := vendorCall(ts, args[0], http.MethodGet, args[1], nil)
		if status < 300 && re.Match(body) {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitvendor: %s %s did not match %s within 30s; last answer %d %s", args[0], args[1], args[2], status, body)
		}
		time.Sleep(50 * time.Millisecond) // polling a fake another process changes
	}
}

// vendor bigcommerce|shipstation|mail|STORE METHOD PATH [FILE]: call a fake as
// tote would (with the sandbox credentials), or a simulation verb under
// /_sim/; print the status and the body.
func cmdVendor(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || len(args) > 4 {
		ts.Fatalf("usage: vendor bigcommerce|shipstation|mail METHOD PATH [FILE]")
	}
	var body io.Reader
	if len(args) == 4 {
		body = strings.NewReader(ts.ReadFile(args[3]))
	}
	status, out := vendorCall(ts, args[0], args[1], args[2], body)
	fmt.Fprintf(ts.Stdout(), "%d %s\n", status, out)
	if neg != (status >= 300) {
		ts.Fatalf("vendor: status %d", status)
	}
}

// ssorderid ORDERKEY VAR: set VAR to the orderId of the ShipStation order
// keyed ORDERKEY. Orders written together get their ids in whichever order
// their writes land, so scripts look them up by key.
func cmdSSOrderID(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: ssorderid ORDERKEY VAR")
	}
	status, out := vendorCall(ts, "shipstation", http.MethodGet, "/orders?pageSize=500", nil)
	if status != http.StatusOK {
		ts.Fatalf("ssorderid: status %d: %s", status, out)
	}
	var page struct {
		Orders []struct {
			OrderID  int64  `json:"orderId"`
			OrderKey string `json:"orderKey"`
		} `json:"orders"`
		Pages int `json:"pages"`
	}
	ts.Check(json.Unmarshal(out, &page))
	if page.Pages > 1 {
		ts.Fatalf("ssorderid: more than one page of orders")
	}
	var ids []int64
	for _, o := range page.Orders {
		if o.OrderKey == args[0] {
			ids = append(ids, o.OrderID)
		}
	}
	if len(ids) != 1 {
		ts.Fatalf("ssorderid: %d orders keyed %s", len(ids), args[0])
	}
	ts.Setenv(args[1], strconv.FormatInt(ids[0], 10))
}

// bcdeliver ADDRFILE PATH FILE [CLIENTSECRET]: deliver FILE, a BigCommerce
// webhook payload, to the server whose address is in ADDRFILE as the
// sandbox store (or the store with CLIENTSECRET) signs its deliveries (the
// same file keeps its webhook-id, as a redelivery does);
// print the status and body. Scripts deliver events late, twice or out of
// order with it.
func cmdBCDeliver(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 && len(args) != 4 {
		ts.Fatalf("usage: bcdeliver ADDRFILE PATH FILE [CLIENTSECRET]")
	}
	secret := sandbox.ClientSecret
	if len(args) == 4 {
		secret = args[3]
	}
	body := []byte(ts.ReadFile(args[2]))
	sum := sha256.Sum256(body)
	id, stamp := "msg_"+hex.EncodeToString(sum[:12]), strconv.FormatInt(time.Now().Unix(), 10)
	req, err := http.NewRequest(http.MethodPost, "http://"+readyAddr(ts, args[0])+args[1], bytes.NewReader(body))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", stamp)
	req.Header.Set("webhook-signature", "v1,"+bigcommercetest.Sign(secret, id, stamp, body))
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	fmt.Fprintf(ts.Stdout(), "%d %s", resp.StatusCode, out)
	if neg != (resp.StatusCode >= 300) {
		ts.Fatalf("bcdeliver: status %d", resp.StatusCode)
	}
}

func vendorCall(ts *testscript.TestScript, vendor, method, path string, body io.Reader) (int, []byte) {
	f := fakesOf(ts)
	var base string
	header := http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"}}
	switch vendor {
	case "bigcommerce":
		base = f.BigCommerce.URL
		if !strings.HasPrefix(path, "/_sim/") {
			base += "/stores/" + sandbox.StoreHash
			header.Set("X-Auth-Token", sandbox.AccessToken)
		}
	case "shipstation":
		base = f.ShipStation.URL
		header.Set("API-Key", sandbox.ShipStationV2)
	case "mail":
		base = f.Mail.URL()
	default:
		bc := extraStoresOf(ts)[vendor]
		if bc == nil {
			ts.Fatalf("vendor: unknown vendor %q (start a store with: store %s ENVPREFIX)", vendor, vendor)
		}
		base = bc.URL
		if !strings.HasPrefix(path, "/_sim/") {
			base += "/stores/" + vendor
			header.Set("X-Auth-Token", vendor+"-token")
		}
	}
	var payload []byte
	if body != nil {
		var err error
		payload, err = io.ReadAll(body)
		ts.Check(err)
	}
	// The script shares the fakes' rate limits with the tote under test: a
	// 429 is waited out as any client would, a few times at most.
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequest(method, base+path, bytes.NewReader(payload))
		ts.Check(err)
		req.Header = header.Clone()
		if vendor == "shipstation" {
			req.SetBasicAuth(sandbox.ShipStationKey, sandbox.ShipStationPass)
		}
		resp, err := http.DefaultClient.Do(req)
		ts.Check(err)
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || attempt == 5 {
			return resp.StatusCode, out
		}
		time.Sleep(rateLimitWait(resp.Header))
	}
}

// rateLimitWait is how long a 429 asks to wait: ShipStation's
// X-Rate-Limit-Reset or BigCommerce's X-Rate-Limit-Time-Reset-Ms, at most
// a minute; a second when neither says.
func rateLimitWait(h http.Header) time.Duration {
	if s, err := strconv.Atoi(h.Get("X-Rate-Limit-Reset")); err == nil && s >= 0 {
		return min(time.Duration(s)*time.Second+50*time.Millisecond, time.Minute)
	}
	if ms, err := strconv.Atoi(h.Get("X-Rate-Limit-Time-Reset-Ms")); err == nil && ms >= 0 {
		return min(time.Duration(ms)*time.Millisecond+50*time.Millisecond, time.Minute)
	}
	return time.Second
}
