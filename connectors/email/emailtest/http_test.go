package emailtest

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func getJSON(t *testing.T, url string) []map[string]any {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %s %s", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	var out []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

func do(t *testing.T, method, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestHTTPListing(t *testing.T) {
	s := newTestServer(t, Options{})
	if got := getJSON(t, s.URL()+"/messages"); got == nil || len(got) != 0 {
		t.Fatalf("empty listing = %#v, want []", got)
	}
	if err := send(s, nil, []string{"ann@example.com"}, plainMail); err != nil {
		t.Fatal(err)
	}
	if err := send(s, nil, []string{"bob@example.com", "Ann@Example.com"}, multipartMail); err != nil {
		t.Fatal(err)
	}

	all := getJSON(t, s.URL()+"/messages")
	if len(all) != 2 {
		t.Fatalf("%d messages listed, want 2", len(all))
	}
	first := all[0]
	delete(first, "headers")
	want := map[string]any{
		"from":        "shop@example.com",
		"to":          []any{"ann@example.com"},
		"subject":     "Your order #100 is on hold",
		"text":        "We expect to ship it on 3 July.\n",
		"html":        "",
		"message_id":  "<hold-100@tote>",
		"received_at": "2024-07-01T12:00:00Z",
	}
	if diff := cmp.Diff(want, first); diff != "" {
		t.Fatalf("first message (-want +got):\n%s", diff)
	}
	if all[1]["subject"] != "Refund issued" {
		t.Fatalf("not oldest first: second is %v", all[1]["subject"])
	}

	for _, c := range []struct {
		to       string
		subjects []any
	}{
		{"ann@example.com", []any{"Your order #100 is on hold", "Refund issued"}},
		{"bob@example.com", []any{"Refund issued"}},
		{"nobody@example.com", []any{}},
	} {
		subjects := []any{}
		for _, m := range getJSON(t, s.URL()+"/messages?to="+c.to) {
			subjects = append(subjects, m["subject"])
		}
		if diff := cmp.Diff(c.subjects, subjects); diff != "" {
			t.Errorf("?to=%s (-want +got):\n%s", c.to, diff)
		}
	}

	if resp := do(t, http.MethodDelete, s.URL()+"/messages"); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %s", resp.Status)
	}
	if got := getJSON(t, s.URL()+"/messages"); len(got) != 0 {
		t.Fatalf("%d messages after DELETE", len(got))
	}
	if n := len(s.Messages()); n != 0 {
		t.Fatalf("Messages() holds %d after DELETE", n)
	}
	if resp := do(t, http.MethodPost, s.URL()+"/messages"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %s, want 405", resp.Status)
	}
}
