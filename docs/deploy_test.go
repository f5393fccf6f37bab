package docs

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestSystemdUnitVerifies runs systemd-analyze verify on the shipped unit
// (with ExecStart pointed at a binary that exists here), and checks the
// hardening and the stop timeout against tote's grace.
func TestSystemdUnitVerifies(t *testing.T) {
	unit, err := os.ReadFile("deploy/tote.service")
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string][]string{}
	sc := bufio.NewScanner(strings.NewReader(string(unit)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if k, v, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			settings[k] = append(settings[k], v)
		}
	}
	for _, k := range []string{"DynamicUser", "ProtectSystem", "StateDirectory", "NoNewPrivileges", "PrivateTmp",
		"ProtectHome", "RestrictAddressFamilies", "SystemCallFilter", "MemoryDenyWriteExecute", "EnvironmentFile", "TimeoutStopSec"} {
		if len(settings[k]) == 0 {
			t.Errorf("tote.service does not set %s", k)
		}
	}
	if got := settings["ProtectSystem"]; len(got) > 0 && got[0] != "strict" {
		t.Errorf("ProtectSystem=%s, want strict", got[0])
	}
	exec0 := strings.Join(settings["ExecStart"], " ")
	if !strings.Contains(exec0, "tote run") {
		t.Errorf("ExecStart=%s does not run tote run", exec0)
	}
	// The stop timeout must leave room above tote's grace (default 30 s).
	grace := 30
	if m := regexp.MustCompile(`-grace (\d+)s`).FindStringSubmatch(exec0); m != nil {
		grace = atoi(t, m[1])
	}
	if stop := atoi(t, strings.TrimSuffix(settings["TimeoutStopSec"][0], "s")); stop <= grace {
		t.Errorf("TimeoutStopSec=%d is not above tote's grace of %d s", stop, grace)
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// verify insists that ExecStart's binary exists.
	local := strings.ReplaceAll(string(unit), "/usr/local/bin/tote", self)
	path := filepath.Join(t.TempDir(), "tote.service")
	if err := os.WriteFile(path, []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number of seconds", s)
	}
	return n
}

// TestDockerfileBuildsTheModule parses the Dockerfile's stages (docker is
// not needed): a build stage and a shell-less final stage, a static build
// of ./cmd/tote that copies every top-level directory the binary needs, a
// non-root user and the state volume.
func TestDockerfileBuildsTheModule(t *testing.T) {
	src, err := os.ReadFile("deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	// Join continuation lines, drop comments.
	text := regexp.MustCompile(`\\\n\s*`).ReplaceAllString(string(src), " ")
	type stage struct {
		from, name string
		lines      []string
	}
	var stages []*stage
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if strings.EqualFold(f[0], "FROM") {
			s := &stage{from: f[1]}
			if len(f) == 4 && strings.EqualFold(f[2], "AS") {
				s.name = f[3]
			}
			stages = append(stages, s)
			continue
		}
		if len(stages) == 0 {
			t.Fatalf("instruction before FROM: %s", line)
		}
		stages[len(stages)-1].lines = append(stages[len(stages)-1].lines, line)
	}
	if len(stages) < 2 {
		t.Fatalf("%d stages, want a build stage and a final stage", len(stages))
	}
	build, final := stages[0], stages[len(stages)-1]
	all := func(s *stage) string { return strings.Join(s.lines, "\n") }

	// The build: static, of the command, with every package it imports.
	b := all(build)
	if !regexp.MustCompile(`CGO_ENABLED=0 go build .*\./cmd/tote\b`).MatchString(b) {
		t.Errorf("the build stage does not build ./cmd/tote with CGO_ENABLED=0:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join("..", "cmd", "tote", "main.go")); err != nil {
		t.Errorf("./cmd/tote is not the command's package: %v", err)
	}
	deps, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../cmd/tote").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/toteworks/tote/"
	for _, p := range strings.Fields(string(deps)) {
		if !strings.HasPrefix(p, module) {
			continue
		}
		top := strings.SplitN(strings.TrimPrefix(p, module), "/", 2)[0]
		if !regexp.MustCompile(`(?m)^COPY (\S+ )*` + regexp.QuoteMeta(top) + `\b`).MatchString(b) {
			t.Errorf("the build stage does not copy %s/, which %s needs", top, p)
		}
	}
	if !strings.Contains(b, "go.mod") || !strings.Contains(b, "go.sum") {
		t.Error("the build stage does not copy go.mod and go.sum")
	}
	if !regexp.MustCompile(`golang:` + regexp.QuoteMeta(goMinor(t))).MatchString(build.from) {
		t.Errorf("build image %s does not match go.mod's Go %s", build.from, goMinor(t))
	}

	// The final stage: no shell, CA certificates, not root, a volume.
	fin := all(final)
	if !strings.Contains(final.from, "distroless/static") && final.from != "scratch" {
		t.Errorf("final stage FROM %s, want distroless static (or scratch with CA certificates)", final.from)
	}
	if !strings.Contains(fin, "COPY --from="+build.name) {
		t.Errorf("the final stage does not copy the binary from %q", build.name)
	}
	if m := regexp.MustCompile(`(?m)^USER (\S+)`).FindStringSubmatch(fin); m == nil || strings.HasPrefix(m[1], "root") || strings.HasPrefix(m[1], "0") {
		t.Errorf("the final stage runs as root")
	}
	if !regexp.MustCompile(`(?m)^VOLUME /data`).MatchString(fin) || !strings.Contains(fin, "TOTE_STATE=/data/") {
		t.Error("the state does not live on the /data volume")
	}
	if strings.Contains(fin, "HEALTHCHECK") {
		t.Error("a HEALTHCHECK needs a shell or curl, which the final image lacks")
	}
	if !regexp.MustCompile(`ENTRYPOINT \[.*"run"`).MatchString(fin) {
		t.Error("the entrypoint does not start tote run")
	}
}

// goMinor is go.mod's go version as major.minor.
func goMinor(t *testing.T) string {
	src, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(string(src))
	if m == nil {
		t.Fatal("go.mod has no go line")
	}
	return m[1]
}
