// Package threadstest helps test settings Linux keeps per thread: a test
// changes them in a child copy of the test binary, not in the test process
// itself, and checks a thread started after the change as well.
package threadstest

import (
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// envChild names the test a child copy of the test binary runs.
const envChild = "THREADSTEST_CHILD"

// InChild reports whether this is the child copy running t. In the test
// process it runs t again in a child copy of the test binary instead, and
// fails t if the child does.
func InChild(t *testing.T) bool {
	t.Helper()
	if os.Getenv(envChild) == t.Name() {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^"+regexp.QuoteMeta(t.Name())+"$", "-test.v")
	cmd.Env = append(os.Environ(), envChild+"="+t.Name())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "PASS") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return false
}

// StartThread starts an operating-system thread of its own, from the
// calling thread, and returns once it runs; it lasts until the process
// ends.
func StartThread() {
	done := make(chan struct{})
	go func() { runtime.LockOSThread(); close(done); select {} }()
	<-done
}

// Threads lists the ids of this process's threads, as /proc names them.
func Threads() []string {
	tasks, _ := os.ReadDir("/proc/self/task")
	var ids []string
	for _, task := range tasks {
		ids = append(ids, task.Name())
	}
	return ids
}

// StatusField is the value of the field name in the /proc status of every
// thread of process pid, by thread id (Linux).
func StatusField(pid int, name string) map[string]string {
	dir := "/proc/" + strconv.Itoa(pid) + "/task/"
	tasks, _ := os.ReadDir(dir)
	values := map[string]string{}
	for _, task := range tasks {
		status, err := os.ReadFile(dir + task.Name() + "/status")
		if err != nil {
			continue // the thread has ended
		}
		for line := range strings.SplitSeq(string(status), "\n") {
			if v, ok := strings.CutPrefix(line, name+":"); ok {
				values[task.Name()] = strings.TrimSpace(v)
			}
		}
	}
	return values
}
