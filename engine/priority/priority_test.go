package priority_test

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/toteworks/tote/engine/priority"
)

// The test lowers the priority of a child copy of the test binary, not of
// the test process itself, and reads every thread's nice value from /proc.
func TestLowerReachesEveryThread(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("per-thread nice values are Linux's")
	}
	if os.Getenv("PRIORITY_CHILD") == "1" {
		if err := priority.Lower(7); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{})
		// A thread started after Lower inherits the nice value.
		go func() { runtime.LockOSThread(); close(done); select {} }()
		<-done
		tasks, _ := os.ReadDir("/proc/self/task")
		for _, task := range tasks {
			stat, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
			if err != nil {
				continue
			}
			// Fields after the command's closing parenthesis; nice is the 19th field.
			f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
			if nice, _ := strconv.Atoi(f[16]); nice != 7 {
				t.Fatalf("thread %s has nice %d, want 7", task.Name(), nice)
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLowerReachesEveryThread$", "-test.v")
	cmd.Env = append(os.Environ(), "PRIORITY_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
