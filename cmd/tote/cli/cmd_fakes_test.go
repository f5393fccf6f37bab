package cli

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
)

// startFakes runs tote fakes with args until the export block is printed,
// and returns the exports; the fakes stop when the test ends.
func startFakes(t *testing.T, args ...string) map[string]string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r, w := io.Pipe()
	done := make(chan int)
	args = append([]string{"-bigcommerce-listen", "127.0.0.1:0", "-shipstation-listen", "127.0.0.1:0", "-smtp-listen", "127.0.0.1:0", "-mail-listen", "127.0.0.1:0"}, args...)
	go func() {
		code := cmdFakes(ctx, Env{Stdout: w, Stderr: w}, args)
		w.Close()
		done <- code
	}()
	t.Cleanup(func() {
		cancel()
		go io.Copy(io.Discard, r)
		if code := <-done; code != exitOK {
			t.Errorf("tote fakes exited %d", code)
		}
	})
	exports := map[string]string{}
	line := regexp.MustCompile(`^export ([A-Z0-9_]+)='([^']*)'$`)
	sc := bufio.NewScanner(r)
	inBlock := false
	for sc.Scan() {
		if m := line.FindStringSubmatch(sc.Text()); m != nil {
			exports[m[1]], inBlock = m[2], true
			continue
		}
		if inBlock {
			break
		}
		if strings.HasPrefix(sc.Text(), "Error") {
			t.Fatal(sc.Text())
		}
	}
	return exports
}

func TestFakesPrintsTheShippedPipelinesEnvironment(t *testing.T) {
	exports := startFakes(t)
	// Every setting the shipped main connections read without a default.
	src, err := os.ReadFile("../../../pipelines/connections.hcl")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?:env|secret)\("([A-Z0-9_]+)"\)`).FindAllStringSubmatch(string(src), -1) {
		if _, ok := exports[m[1]]; !ok {
			t.Errorf("tote fakes does not export %s, which connections.hcl requires", m[1])
		}
	}
	for _, k := range []string{"BIGCOMMERCE_API_URL", "SHIPSTATION_API_URL", "SHIPSTATION_WEBHOOK_TOKEN", "SMTP_PORT"} {
		if exports[k] == "" {
			t.Errorf("%s is not exported", k)
		}
	}
	// The URLs are the running fakes.
	req, _ := http.NewRequest(http.MethodGet, exports["BIGCOMMERCE_API_URL"]+"/stores/"+exports["BIGCOMMERCE_STORE_HASH"]+"/v2/store", nil)
	req.Header.Set("X-Auth-Token", exports["BIGCOMMERCE_ACCESS_TOKEN"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /v2/store with the exported settings: %d", resp.StatusCode)
	}
	// Raised limits by default, as tote sandbox.
	if exports["SHIPSTATION_RATE_QUOTA"] != "3000" {
		t.Errorf("SHIPSTATION_RATE_QUOTA = %q by default, want the sandbox's raised 3000", exports["SHIPSTATION_RATE_QUOTA"])
	}
}

func TestFakesAndSandboxShareRealLimits(t *testing.T) {
	exports := startFakes(t, "-real-limits")
	if exports["SHIPSTATION_RATE_QUOTA"] != "40" || exports["BIGCOMMERCE_RATE_QUOTA"] != "150" {
		t.Errorf("-real-limits exports ShipStation %q, BigCommerce %q; want 40 and 150", exports["SHIPSTATION_RATE_QUOTA"], exports["BIGCOMMERCE_RATE_QUOTA"])
	}
	// Both commands register the same flag with the same default.
	defaults := map[string]string{}
	for _, name := range []string{"fakes", "sandbox"} {
		for _, c := range commands() {
			if c.name != name {
				continue
			}
			probe := &flagProbe{}
			c.run(context.Background(), Env{Stdout: io.Discard, Stderr: probe, Getenv: func(string) (string, bool) { return "", false }}, []string{"-h"})
			f := probe.fs.Lookup("real-limits")
			if f == nil {
				t.Fatalf("tote %s has no -real-limits", name)
			}
			defaults[name] = f.DefValue
		}
	}
	if defaults["fakes"] != defaults["sandbox"] {
		t.Errorf("-real-limits defaults differ: %v", defaults)
	}
}
