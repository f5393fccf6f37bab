// Package personal removes personal data (names, email addresses, street
// addresses, phone numbers) from stored event payloads before they are
// shown, so that an operator can read what an event was about without
// reading who it was about.
package personal

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Redacted replaces a removed value.
const Redacted = "(redacted)"

// fragments mark a key whose value is personal, matched against the key
// lowercased with '_' and '-' removed. "name" covers first_name, last_name,
// name and company names; product names are redacted too, which costs
// nothing: the SKU names the product.
var fragments = []string{"name", "email", "phone", "street", "address", "city", "zip", "postal", "username", "company"}

// exempt keys contain a fragment but are not personal.
var exempt = map[string]bool{
	"scope": true, "resourcetype": true, "resourceurl": true, "addressid": true, "addressverified": true,
	"hookname": true, "tagname": true, "storename": true, "carriername": true,
	"servicename": true, "statusname": true,
}

// separators are dropped from a key before it is matched.
var separators = strings.NewReplacer("_", "", "-", "")

// Personal reports whether values under key are personal data.
func Personal(key string) bool {
	k := separators.Replace(strings.ToLower(key))
	if exempt[k] {
		return false
	}
	for _, f := range fragments {
		if strings.Contains(k, f) {
			return true
		}
	}
	return false
}

// JSON returns doc with the scalar values under personal keys replaced by
// Redacted, at any depth; objects and lists under such keys are walked, so
// that their structure stays readable. A document that is not JSON is
// returned as Redacted whole: it cannot be checked.
func JSON(doc []byte) []byte {
	if len(bytes.TrimSpace(doc)) == 0 {
		return doc
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []byte(`"` + Redacted + `"`)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(walk(v, false)); err != nil {
		return []byte(`"` + Redacted + `"`)
	}
	return bytes.TrimSpace(out.Bytes())
}

func walk(v any, personal bool) any {
	switch t := v.(type) {
	case map[string]any:
		for k, sub := range t {
			t[k] = walk(sub, personal || Personal(k))
		}
		return t
	case []any:
		for i, sub := range t {
			t[i] = walk(sub, personal)
		}
		return t
	case nil:
		return nil
	}
	if personal {
		return Redacted
	}
	return v
}
