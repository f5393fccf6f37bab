package bigcommerce

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// tokenHeader carries a hook's token on every delivery of the hooks tote
// registers: BigCommerce sends a hook's custom headers back on each callback,
// while its signatures are not documented for every kind of API account.
const tokenHeader = "X-Tote-Hook-Token"

// hookToken is the token of tote's hooks for scope: an HMAC of the store and
// scope under the connection's token key, so it survives restarts, is
// checkable at delivery and is never stored.
func (c *conn) hookToken(scope string) string {
	mac := hmac.New(sha256.New, []byte(c.tokenKey))
	mac.Write([]byte("tote hook token\x00" + c.storeHash + "\x00" + scope))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// headerValue reads a hook's header case-insensitively, as BigCommerce may
// hand names back in another case.
func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// hookType leaves header values out: they may hold the shared secret.
var hookType = obj(map[string]cty.Type{
	"id": cty.Number, "scope": cty.String, "destination": cty.String, "is_active": cty.Bool,
	"header_names": cty.List(cty.String), "created_at": cty.String, "updated_at": cty.String,
})

func hookActions() []action {
	return []action{
		{
			Spec: connectors.ActionSpec{
				Name: "list_hooks", Kind: connectors.Read, Output: cty.List(hookType),
				Doc:  "The webhooks this API account registered at the store (header values are not shown).",
				Args: schema.Object{},
			},
			Read: readArgs(readHooks),
		},
		{
			Spec: connectors.ActionSpec{
				Name: "ensure_hook", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: hookType, Identity: []string{"scope", "destination"},
				Doc: "Make sure a webhook exists and is active (BigCommerce deactivates a hook after 48 h of failed " +
					"deliveries) and carries its " + tokenHeader + " header, which deliveries are checked against. Webhook triggers do this " +
					"through `tote plan`/`apply` subscriptions; this action is for hooks outside them.",
				Args: schema.Object{Attrs: []schema.Attr{
					{Name: "scope", Type: cty.String, Required: true, Doc: "e.g. store/order/created or store/order/*."},
					{Name: "destination", Type: cty.String, Required: true, Doc: "An https URL on port 443."},
				}},
			},
			Plan: planArgs(planEnsureHook), Apply: applyArgs(applyEnsureHook),
		},
	}
}

func unixTime(s int64) string {
	if s == 0 {
		return ""
	}
	return formatTime(time.Unix(s, 0))
}

func hookVal(h hook) cty.Value {
	names := make([]string, 0, len(h.Headers))
	for k := range h.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(h.ID), "scope": str(h.Scope), "destination": str(h.Destination), "is_active": cty.BoolVal(h.IsActive),
		"header_names": strList(names), "created_at": str(unixTime(h.CreatedAt)), "updated_at": str(unixTime(h.UpdatedAt)),
	})
}

func (c *conn) hooks(ctx context.Context, q url.Values) ([]hook, error) {
	return v3List[hook](ctx, c.api, call{method: http.MethodGet, path: "/v3/hooks", query: q, prio: budget.Orders})
}

func readHooks(c *conn, ctx context.Context, _ *args) (cty.Value, error) {
	hs, err := c.hooks(ctx, url.Values{})
	if err != nil {
		return cty.NilVal, err
	}
	vals := make([]cty.Value, len(hs))
	for i, h := range hs {
		vals[i] = hookVal(h)
	}
	return listOf(hookType, vals), nil
}

// hookHeaders are the headers tote's hook for scope carries.
func (c *conn) hookHeaders(scope string) map[string]string {
	return map[string]string{tokenHeader: c.hookToken(scope)}
}

// hookProblem says why an existing hook needs an update, or "".
func (c *conn) hookProblem(h hook) string {
	switch {
	case !h.IsActive:
		return "inactive (BigCommerce deactivates a hook after 48 h of failed deliveries); re-activate"
	case subtle.ConstantTimeCompare([]byte(headerValue(h.Headers, tokenHeader)), []byte(c.hookToken(h.Scope))) != 1:
		return "its " + tokenHeader + " header is missing or out of date"
	}
	return ""
}

func (c *conn) findHook(ctx context.Context, scope, destination string) (*hook, error) {
	hs, err := c.hooks(ctx, url.Values{"scope": {scope}, "destination": {destination}})
	if err != nil {
		return nil, err
	}
	for i := range hs {
		if hs[i].Scope == scope && hs[i].Destination == destination {
			return &hs[i], nil
		}
	}
	return nil, nil
}

func hookState(scope, destination string, active bool) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"scope": str(scope), "destination": str(destination), "is_active": cty.BoolVal(active)})
}

func planEnsureHook(c *conn, ctx context.Context, a *args) (connectors.Change, error) {
	scope, dest := a.str("scope"), a.str("destination")
	if a.err != nil {
		return connectors.Change{}, a.err
	}
	after := hookState(scope, dest, true)
	h, err := c.findHook(ctx, scope, dest)
	if err != nil {
		return connectors.Change{}, err
	}
	if h == nil {
		return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(after.Type()), After: after}, nil
	}
	ch := connectors.Change{Op: connectors.OpUpdate, Before: hookState(h.Scope, h.Destination, h.IsActive), After: after,
		Fingerprint: connectors.Fingerprint(hookVal(*h))}
	if c.hookProblem(*h) == "" {
		ch.Op, ch.Output = connectors.OpNoop, hookVal(*h)
	}
	return ch, nil
}

func applyEnsureHook(c *conn, ctx context.Context, a *args, _ connectors.Change) (cty.Value, error) {
	scope, dest := a.str("scope"), a.str("destination")
	if a.err != nil {
		return cty.NilVal, a.err
	}
	h, err := c.findHook(ctx, scope, dest)
	if err != nil {
		return cty.NilVal, err
	}
	var out hook
	if h == nil {
		out, err = c.createHook(ctx, scope, dest)
	} else {
		out, err = c.repairHook(ctx, h.ID, scope)
	}
	if err != nil {
		return cty.NilVal, err
	}
	return hookVal(out), nil
}

func (c *conn) createHook(ctx context.Context, scope, dest string) (hook, error) {
	active := true
	// Not resent: BigCommerce refuses a second hook with the same scope and
	// destination, and the next plan finds the first.
	return v3Data[hook](ctx, c.api, call{method: http.MethodPost, path: "/v3/hooks",
		body: hookInput{Scope: scope, Destination: dest, IsActive: &active, Headers: c.hookHeaders(scope)}, prio: budget.Orders})
}

// repairHook re-activates hook id and sets its token; the headers object
// replaces the hook's, so a header tote once sent is gone.
func (c *conn) repairHook(ctx context.Context, id int64, scope string) (hook, error) {
	active := true
	return v3Data[hook](ctx, c.api, call{method: http.MethodPut, path: fmt.Sprintf("/v3/hooks/%d", id),
		body: hookInput{IsActive: &active, Headers: c.hookHeaders(scope)}, prio: budget.Orders, replayable: true})
}
