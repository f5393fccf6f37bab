package priority_test

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/toteworks/tote/engine/priority"
	"github.com/toteworks/tote/engine/threads/threadstest"
)

// The test lowers the priority of a child copy of the test binary, not of
// the test process itself, and reads every thread's nice value from /proc.
func TestLowerReachesEveryThread(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("per-thread nice values are Linux's")
	}
	if !threadstest.InChild(t) {
		return
	}
	if err := priority.Lower(7); err != nil {
		t.Fatal(err)
	}
	threadstest.StartThread() // inherits the nice value
	for _, tid := range threadstest.Threads() {
		stat, err := os.ReadFile("/proc/self/task/" + tid + "/stat")
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis; nice is the 19th field.
		f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
		if nice, _ := strconv.Atoi(f[16]); nice != 7 {
			t.Fatalf("thread %s has nice %d, want 7", tid, nice)
		}
	}
}
