package bigcommerce

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/budget"
	"github.com/toteworks/tote/connectors/schema"
	"github.com/zclconf/go-cty/cty"
)

// defaultNamespace is where tote keeps its order metafields.
const defaultNamespace = "tote"

var metafieldType = obj(map[string]cty.Type{
	"id": cty.Number, "order_id": cty.Number, "namespace": cty.String, "key": cty.String, "value": cty.String,
	"description": cty.String, "permission_set": cty.String, "date_modified": cty.String,
})

func metafieldActions() []action {
	return []action{{
		Spec: connectors.ActionSpec{
			Name: "upsert_order_metafield", Kind: connectors.Write, Guarantee: connectors.Idempotent, Output: metafieldType,
			Identity: []string{"order_id", "key"},
			Doc:      "Create or update an order metafield (namespace tote by default). Plans nothing when it already holds the value.",
			Args: schema.Object{Attrs: []schema.Attr{
				{Name: "order_id", Type: cty.Number, Required: true},
				{Name: "key", Type: cty.String, Required: true, Doc: "1 to 64 characters."},
				{Name: "value", Type: cty.String, Required: true, Doc: "1 to 65535 characters."},
				{Name: "namespace", Type: cty.String, Doc: `Default "` + defaultNamespace + `".`},
				{Name: "description", Type: cty.String},
				{Name: "permission_set", Type: cty.String, Doc: `Who may see it: "app_only" (default), "read", "write", ...`},
			}},
		},
		Plan: planArgs(planMetafield), Apply: applyArgs(applyMetafield),
	}}
}

// metafieldArgs reads upsert_order_metafield's arguments.
func metafieldArgs(a *args) (int64, metafieldInput, error) {
	id := a.int("order_id")
	in := metafieldInput{Namespace: a.str("namespace"), Key: a.str("key"), Value: a.str("value"),
		Description: a.str("description"), PermissionSet: a.str("permission_set")}
	if in.Namespace == "" {
		in.Namespace = defaultNamespace
	}
	if in.PermissionSet == "" {
		in.PermissionSet = "app_only"
	}
	return id, in, a.err
}

func metafieldVal(m metafield) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id": num(m.ID), "order_id": num(m.ResourceID), "namespace": str(m.Namespace), "key": str(m.Key),
		"value": str(m.Value), "description": str(m.Description), "permission_set": str(m.PermissionSet),
		"date_modified": str(formatTime(m.DateModified.Time)),
	})
}

// findMetafield returns the order's metafield with the namespace and key.
func (c *conn) findMetafield(ctx context.Context, orderID int64, namespace, key string) (*metafield, error) {
	ms, err := v3List[metafield](ctx, c.api, call{method: http.MethodGet, path: fmt.Sprintf("/v3/orders/%d/metafields", orderID),
		query: url.Values{"namespace": {namespace}, "key": {key}}, prio: budget.Tracking})
	if isNotFound(err) {
		return nil, connectors.Permanent(fmt.Errorf("bigcommerce: order %d: %w", orderID, connectors.ErrNotFound))
	}
	if err != nil {
		return nil, err
	}
	for i := range ms {
		if ms[i].Namespace == namespace && ms[i].Key == key {
			return &ms[i], nil
		}
	}
	return nil, nil
}

func metafieldState(namespace, key, value, description string) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{"namespace": str(namespace), "key": str(key), "value": str(value), "description": str(description)})
}

func planMetafield(c *conn, ctx context.Context, a *args) (connectors.Change, error) {
	id, in, err := metafieldArgs(a)
	if err != nil {
		return connectors.Change{}, err
	}
	after := metafieldState(in.Namespace, in.Key, in.Value, in.Description)
	m, err := c.findMetafield(ctx, id, in.Namespace, in.Key)
	if err != nil {
		return connectors.Change{}, err
	}
	if m == nil {
		return connectors.Change{Op: connectors.OpCreate, Before: cty.NullVal(after.Type()), After: after}, nil
	}
	desc := m.Description
	if !a.has("description") {
		desc = in.Description // an absent description is left as it is
	}
	before := metafieldState(m.Namespace, m.Key, m.Value, desc)
	ch := connectors.Change{Op: connectors.OpUpdate, Before: before, After: after, Fingerprint: connectors.Fingerprint(metafieldVal(*m))}
	if m.Value == in.Value && desc == in.Description {
		ch.Op, ch.Output = connectors.OpNoop, metafieldVal(*m)
	}
	return ch, nil
}

func applyMetafield(c *conn, ctx context.Context, a *args, _ connectors.Change) (cty.Value, error) {
	id, in, err := metafieldArgs(a)
	if err != nil {
		return cty.NilVal, err
	}
	m, err := c.findMetafield(ctx, id, in.Namespace, in.Key)
	if err != nil {
		return cty.NilVal, err
	}
	var out metafield
	if m == nil {
		// A create is not resent: a lost answer shows as the metafield on the next plan.
		out, err = v3Data[metafield](ctx, c.api, call{method: http.MethodPost, path: fmt.Sprintf("/v3/orders/%d/metafields", id),
			body: in, prio: budget.Tracking})
	} else {
		upd := metafieldInput{Value: in.Value, Description: in.Description}
		out, err = v3Data[metafield](ctx, c.api, call{method: http.MethodPut, path: fmt.Sprintf("/v3/orders/%d/metafields/%d", id, m.ID),
			body: upd, prio: budget.Tracking, replayable: true})
	}
	if err != nil {
		return cty.NilVal, err
	}
	return metafieldVal(out), nil
}
