package email

import (
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors"
	"github.com/toteworks/tote/connectors/email/emailtest"
	"github.com/zclconf/go-cty/cty"
)

func TestPlanWriteRendersWithoutSending(t *testing.T) {
	srv := newCapture(t, emailtest.Options{})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), nil))
	args := sendArgs(map[string]cty.Value{"cc": cty.StringVal(" audit@example.com ")})
	for range 2 {
		ch, err := conn.PlanWrite(t.Context(), "send", args)
		if err != nil {
			t.Fatal(err)
		}
		want := cty.ObjectVal(map[string]cty.Value{
			"to":      cty.StringVal("ann@example.com"),
			"cc":      cty.StringVal("audit@example.com"),
			"subject": cty.StringVal("Your order #100 is on hold"),
			"text":    cty.StringVal("Hello Ann,\nwe expect to ship order 100 on 3 July.\n"),
		})
		if ch.Op != connectors.OpCreate || !ch.Before.IsNull() || ch.Fingerprint != "" || !ch.After.RawEquals(want) {
			t.Errorf("change = %+v, want a create of %#v", ch, want)
		}
	}
	if got := len(srv.Messages()); got != 0 {
		t.Errorf("planning sent %d messages", got)
	}
}

func TestPlanWriteWithUnknowns(t *testing.T) {
	conn := openConn(t, newTestConnector(), config(t, "127.0.0.1:25", nil))
	args := sendArgs(map[string]cty.Value{
		"to":   cty.UnknownVal(cty.String),
		"data": cty.ObjectVal(map[string]cty.Value{"order_id": cty.UnknownVal(cty.Number)}),
	})
	ch, err := conn.PlanWrite(t.Context(), "send", args)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"to", "subject", "text"} {
		if ch.After.GetAttr(name).IsKnown() {
			t.Errorf("After.%s = %#v, want unknown", name, ch.After.GetAttr(name))
		}
	}
}

func TestTemplateErrorsArePermanent(t *testing.T) {
	srv := newCapture(t, emailtest.Options{})
	conn := openConn(t, newTestConnector(), config(t, srv.SMTPAddr(), nil))
	tests := []struct {
		name  string
		extra map[string]cty.Value
		want  string
	}{
		{"parse error with its line", map[string]cty.Value{"text": cty.StringVal("Hello,\n{{.name}\n")}, "template: text:2:"},
		{"unknown function", map[string]cty.Value{"subject": cty.StringVal("{{totl .order_id}}")}, `template: subject:1: function "totl" not defined`},
		{"misspelt field", map[string]cty.Value{"text": cty.StringVal("Hi\n{{.nmae}}")}, `text:2:2: executing "text" at <.nmae>: map has no entry for key "nmae"`},
		{"html error", map[string]cty.Value{"html": cty.StringVal("<p>{{.order_id</p>")}, "html:1:"},
		{"money of a non-number", map[string]cty.Value{"text": cty.StringVal("{{money .name}}")}, `money: "Ann" is not a number`},
		{"bad address", map[string]cty.Value{"to": cty.StringVal("ann at example.com")}, "email: to"},
		{"empty recipients", map[string]cty.Value{"to": cty.StringVal("  ")}, "email: to is empty"},
		{"bad cc", map[string]cty.Value{"cc": cty.StringVal("<audit")}, "email: cc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := conn.PlanWrite(t.Context(), "send", sendArgs(tt.extra))
			if err == nil || !connectors.IsPermanent(err) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("PlanWrite error %v: want a permanent error containing %q", err, tt.want)
			}
			_, err = conn.ApplyWrite(t.Context(), connectors.WriteRequest{Action: "send", Args: sendArgs(tt.extra), Key: "k"})
			if err == nil || !connectors.IsPermanent(err) {
				t.Errorf("ApplyWrite error %v: want a permanent error", err)
			}
		})
	}
	if got := len(srv.Messages()); got != 0 {
		t.Errorf("sent %d messages", got)
	}
}

func TestTemplateData(t *testing.T) {
	data := cty.ObjectVal(map[string]cty.Value{
		"total":    cty.MustParseNumberVal("12.50"),
		"tenth":    cty.MustParseNumberVal("0.1"),
		"big":      cty.MustParseNumberVal("12345678901234567890"),
		"price":    cty.StringVal("7.5000"),
		"gift":     cty.False,
		"note":     cty.NullVal(cty.String),
		"items":    cty.TupleVal([]cty.Value{cty.StringVal("mug"), cty.StringVal("cup")}),
		"none":     cty.ListValEmpty(cty.String),
		"missing":  cty.NullVal(cty.List(cty.String)),
		"customer": cty.ObjectVal(map[string]cty.Value{"name": cty.StringVal("Ann")}),
	})
	tests := map[string]string{
		"{{.total}} {{.tenth}} {{.big}}":                    "12.5 0.1 12345678901234567890",
		"{{money .total}} {{money .price}} {{money .big}}":  "12.50 7.50 12345678901234567890.00",
		"{{if .gift}}gift{{else}}no gift{{end}}":            "no gift",
		"[{{.note}}]{{if .note}}x{{end}}":                   "[]",
		"{{range .items}}<{{.}}>{{end}}":                    "<mug><cup>",
		"{{range .none}}x{{end}}{{range .missing}}x{{end}}": "",
		"{{.customer.name}}":                                "Ann",
		"{{len .items}}":                                    "2",
	}
	for src, want := range tests {
		got, err := execute("text", src, data)
		if err != nil || got != want {
			t.Errorf("%s = %q, %v; want %q", src, got, err, want)
		}
	}
	if got, err := execute("text", "no data", cty.NullVal(cty.DynamicPseudoType)); err != nil || got != "no data" {
		t.Errorf("without data: %q, %v", got, err)
	}
}

func TestSubjectIsOneLine(t *testing.T) {
	r, err := render(sendArgs(map[string]cty.Value{"subject": cty.StringVal("Order {{.order_id}}\r\nBcc: victim@example.com")}))
	if err != nil {
		t.Fatal(err)
	}
	if got := r.GetAttr("subject").AsString(); got != "Order 100 Bcc: victim@example.com" {
		t.Errorf("subject = %q", got)
	}
}
