package status_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/state"
	"github.com/toteworks/tote/engine/status"
)

const statusToken = "st-Token-8c1f0e"

// deadStore is a state file with one dead event, whose id it returns.
func deadStore(t *testing.T) (*state.Store, int64) {
	ctx := context.Background()
	st, err := state.Open(ctx, filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Enqueue(ctx, state.NewItem{Pipeline: "orders", Trigger: "hook", Key: "e-1",
		Payload:  []byte(`{"body":{"order_id":101,"items":[{"sku":"SKU-RED"}]}}`),
		Subjects: []state.Subject{order("101"), sku("SKU-RED")}}); err != nil {
		t.Fatal(err)
	}
	items, err := st.Claim(ctx, 1, time.Minute)
	if err != nil || len(items) != 1 {
		t.Fatalf("claim: %v %v", items, err)
	}
	if err := st.Bury(ctx, items[0].ID, "rejected"); err != nil {
		t.Fatal(err)
	}
	return st, items[0].ID
}

func get(h http.Handler, remote, target string, header http.Header, cookies ...*http.Cookie) *http.Response {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.RemoteAddr = remote
	for k, v := range header {
		r.Header[k] = v
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

// Loopback clients see the page; others only with the token, given once as
// ?token= for a login cookie. A proxy in front is not loopback.
func TestAccess(t *testing.T) {
	st, _ := deadStore(t)
	open := status.New(status.Options{Store: st})
	if res := get(open, "127.0.0.1:5000", "/", nil); res.StatusCode != 200 {
		t.Fatalf("loopback: %d", res.StatusCode)
	}
	if res := get(open, "[::1]:5000", "/", nil); res.StatusCode != 200 {
		t.Fatalf("loopback v6: %d", res.StatusCode)
	}
	if res := get(open, "203.0.113.9:5000", "/", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("remote without a token configured: %d", res.StatusCode)
	}
	if res := get(open, "127.0.0.1:5000", "/", http.Header{"X-Forwarded-For": {"203.0.113.9"}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("forwarded by a local proxy: %d", res.StatusCode)
	}

	h := status.New(status.Options{Store: st, Token: statusToken})
	remote := "203.0.113.9:5000"
	if res := get(h, remote, "/", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("remote without token: %d", res.StatusCode)
	}
	if res := get(h, remote, "/?token=wrong", nil); res.StatusCode != http.StatusForbidden {
		t.Fatalf("wrong token: %d", res.StatusCode)
	}
	res := get(h, remote, "/?q=101&token="+statusToken, nil)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/?q=101" {
		t.Fatalf("login: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	var login *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "tote_status" {
			login = c
		}
	}
	if login == nil || !login.HttpOnly || login.SameSite != http.SameSiteStrictMode || strings.Contains(login.Value, statusToken) {
		t.Fatalf("login cookie %+v", login)
	}
	res = get(h, remote, "/?q=101", nil, login)
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || !strings.Contains(string(body), "e-1") {
		t.Fatalf("with the login: %d", res.StatusCode)
	}
	if strings.Contains(string(body), statusToken) {
		t.Fatal("the page shows the token")
	}
	// A login of another process (a restart) is not valid.
	other := status.New(status.Options{Store: st, Token: statusToken})
	if res := get(other, remote, "/", nil, login); res.StatusCode != http.StatusForbidden {
		t.Fatalf("another process's login: %d", res.StatusCode)
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// The retry form is accepted only from the page: the Origin is this host,
// and the form's token matches the browser's cookie.
func TestRetryNeedsTheFormsToken(t *testing.T) {
	st, id := deadStore(t)
	h := status.New(status.Options{Store: st})
	res := get(h, "127.0.0.1:5000", "/", nil)
	body, _ := io.ReadAll(res.Body)
	m := csrfField.FindStringSubmatch(string(body))
	if m == nil {
		t.Fatal("no csrf field on the page")
	}
	var nonce *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "tote_csrf" {
			nonce = c
		}
	}
	if nonce == nil || nonce.SameSite != http.SameSiteStrictMode {
		t.Fatalf("csrf cookie %+v", nonce)
	}
	post := func(origin, token string, cookie *http.Cookie, itemID string) int {
		form := url.Values{"csrf": {token}, "id": {itemID}}
		r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:7400/retry", strings.NewReader(form.Encode()))
		r.RemoteAddr = "127.0.0.1:5000"
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if origin != "" {
			r.Header.Set("Origin", origin)
		}
		if cookie != nil {
			r.AddCookie(cookie)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w.Code
	}
	idStr := strconvItoa(id)
	self := "http://127.0.0.1:7400"
	for name, code := range map[string]int{
		"no origin":        post("", m[1], nonce, idStr),
		"other origin":     post("https://evil.example", m[1], nonce, idStr),
		"no cookie":        post(self, m[1], nil, idStr),
		"wrong token":      post(self, "x"+m[1], nonce, idStr),
		"other cookie":     post(self, m[1], &http.Cookie{Name: "tote_csrf", Value: "forged"}, idStr),
		"token as nothing": post(self, "", nonce, idStr),
	} {
		if code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", name, code)
		}
	}
	if it, _ := st.Item(context.Background(), id); it.Status != state.ItemDead {
		t.Fatalf("a refused form requeued the item: %s", it.Status)
	}
	if code := post(self, m[1], nonce, idStr); code != http.StatusSeeOther {
		t.Fatalf("the page's own form: %d", code)
	}
	if it, _ := st.Item(context.Background(), id); it.Status != state.ItemPending {
		t.Fatalf("item is %s after retry, want pending", it.Status)
	}
	if code := post(self, m[1], nonce, idStr); code != http.StatusConflict {
		t.Fatalf("retrying an item already queued: %d, want 409", code)
	}
}

func strconvItoa(n int64) string { return strconv.FormatInt(n, 10) }
