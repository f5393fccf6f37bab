package affinity_test

import (
	"os"
	"runtime"
	"testing"

	"github.com/toteworks/tote/engine/affinity"
	"github.com/toteworks/tote/engine/threads/threadstest"
)

func TestParseAndString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"3", "3"},
		{"0-2,5", "0-2,5"},
		{" 5,0,1,2 ", "0-2,5"},
		{"1,1-3", "1-3"},
	} {
		s, err := affinity.Parse(tc.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		if got := s.String(); got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"", "a", "3-1", "-1", "1,,2", "99999"} {
		if s, err := affinity.Parse(bad); err == nil {
			t.Errorf("Parse(%q) = %v, want an error", bad, s)
		}
	}
}

func TestWithoutAndWithin(t *testing.T) {
	all, _ := affinity.Parse("0-3")
	one, _ := affinity.Parse("3")
	if got := all.Without(one).String(); got != "0-2" {
		t.Errorf("0-3 without 3 = %s", got)
	}
	if !one.Within(all) || all.Within(one) {
		t.Error("Within is wrong")
	}
}

// The test keeps a child copy of the test binary to one CPU, not the test
// process itself, and reads every thread's allowed CPUs from /proc.
func TestKeepReachesEveryThread(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("per-thread CPU masks are Linux's")
	}
	if !threadstest.InChild(t) {
		return
	}
	all, err := affinity.Allowed()
	if err != nil {
		t.Fatal(err)
	}
	last := all[len(all)-1:]
	if err := affinity.Keep(last); err != nil {
		t.Fatal(err)
	}
	threadstest.StartThread() // inherits the mask
	for tid, cpus := range threadstest.StatusField(os.Getpid(), "Cpus_allowed_list") {
		if cpus != last.String() {
			t.Fatalf("thread %s may run on %s, want %s", tid, cpus, last)
		}
	}
	if now, _ := affinity.Allowed(); now.String() != last.String() {
		t.Fatalf("Allowed = %s after Keep(%s)", now, last)
	}
}
