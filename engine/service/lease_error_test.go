package service_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/toteworks/tote/engine/run"
	"github.com/toteworks/tote/engine/service"
)

// A second tote run on a state file names the file and the pid and host
// of the process that holds it.
func TestLeaseHeldNamesFileAndPid(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	if ok, err := h.store.AcquireLease(ctx, service.LeaseName, "run:otherhost:4242:1", time.Minute); err != nil || !ok {
		t.Fatal(ok, err)
	}
	eng := run.New(h.prog, h.store, run.Options{})
	defer eng.Close()
	err := service.Run(ctx, eng, service.Options{Listen: "127.0.0.1:0"})
	if err == nil {
		t.Fatal("a second tote run started")
	}
	for _, want := range []string{h.store.Path(), "pid 4242 on host otherhost"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
}
