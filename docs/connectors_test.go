package docs

import (
	"bytes"
	"os"
	"testing"

	"github.com/toteworks/tote/cmd/tote/cli"
)

// docs/connectors.md is what `tote connectors` prints; regenerate it with
// `go run ./cmd/tote connectors > docs/connectors.md`.
func TestConnectorsReferenceIsCurrent(t *testing.T) {
	reg, err := cli.Registry()
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	cli.WriteConnectors(&want, reg)
	got, err := os.ReadFile("connectors.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatal("docs/connectors.md is out of date: run go run ./cmd/tote connectors > docs/connectors.md")
	}
}
