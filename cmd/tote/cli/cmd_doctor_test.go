package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/toteworks/tote/connectors/sandbox"
)

// doctorAgainstFakes runs tote doctor on the shipped pipelines, pointed at
// freshly started fakes, with some settings changed.
func doctorAgainstFakes(t *testing.T, change map[string]string, args ...string) (int, string) {
	t.Helper()
	opts := sandbox.Options{Addresses: sandbox.Addresses{BigCommerce: "127.0.0.1:0", ShipStation: "127.0.0.1:0", SMTP: "127.0.0.1:0", Mail: "127.0.0.1:0"}, Seed: 1}
	fakes, err := sandbox.StartFakes(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fakes.Close() })
	vals := fakes.Env(opts)
	vals["SHIPSTATION_WEBHOOK_TOKEN"] = "a-token"
	for k, v := range change {
		if v == "" {
			delete(vals, k)
			continue
		}
		vals[k] = v
	}
	var out, errOut strings.Builder
	env := Env{Stdout: &out, Stderr: &errOut, Getenv: func(k string) (string, bool) { v, ok := vals[k]; return v, ok }}
	code := Main(context.Background(), append([]string{"doctor", "-dir", "../../../pipelines"}, args...), env)
	if errOut.Len() > 0 {
		t.Logf("stderr:\n%s", errOut.String())
	}
	return code, out.String()
}

func TestDoctorPassesWithWorkingSettings(t *testing.T) {
	code, out := doctorAgainstFakes(t, nil, "-public-url", "https://tote.example.com")
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	for _, want := range []string{"ok    connection.bigcommerce.main:", "ok    connection.shipstation.main:", "ok    connection.email.customers:", "ok    connection.shipstation.main webhooks:"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

func TestDoctorNamesTheVariableOfARefusedToken(t *testing.T) {
	code, out := doctorAgainstFakes(t, map[string]string{"BIGCOMMERCE_ACCESS_TOKEN": "wrong-token", "SHIPSTATION_API_SECRET": "wrong"})
	if code != exitError {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{
		"FAIL  connection.bigcommerce.main: GET /v2/store answered 401 Unauthorized: the credentials were refused [from BIGCOMMERCE_ACCESS_TOKEN]",
		"fix: check BIGCOMMERCE_ACCESS_TOKEN (access_token)",
		"FAIL  connection.shipstation.main: GET /orders answered 401 Unauthorized",
		"SHIPSTATION_API_SECRET (api_secret)",
		"2 checks failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "wrong-token") {
		t.Errorf("a credential was printed:\n%s", out)
	}
}

func TestDoctorCatchesAVersionedBaseURLAtOnce(t *testing.T) {
	code, out := doctorAgainstFakes(t, map[string]string{"BIGCOMMERCE_API_URL": "https://api.bigcommerce.com/stores/x/v2"})
	if code != exitError {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	for _, want := range []string{"names a store or an API version", "[from BIGCOMMERCE_API_URL]", "fix: set it to the gateway alone"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

func TestDoctorNeedsTheWebhookTokenWithAPublicURL(t *testing.T) {
	code, out := doctorAgainstFakes(t, map[string]string{"SHIPSTATION_WEBHOOK_TOKEN": ""}, "-public-url", "https://tote.example.com")
	if code != exitError {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	if !strings.Contains(out, "SHIPSTATION_WEBHOOK_TOKEN is empty") || !strings.Contains(out, "fix: set SHIPSTATION_WEBHOOK_TOKEN") {
		t.Errorf("the missing token is not named:\n%s", out)
	}
	// Without a public URL, no webhooks are registered and none is needed.
	if code, out := doctorAgainstFakes(t, map[string]string{"SHIPSTATION_WEBHOOK_TOKEN": ""}); code != exitOK {
		t.Errorf("without a public URL: exit %d:\n%s", code, out)
	}
}

func TestDoctorChecksTheV2KeyWhenSet(t *testing.T) {
	code, out := doctorAgainstFakes(t, map[string]string{"SHIPSTATION_V2_API_KEY": "wrong"})
	if code != exitError || !strings.Contains(out, "GET /v2/inventory_warehouses answered 401") || !strings.Contains(out, "SHIPSTATION_V2_API_KEY (v2_api_key)") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
