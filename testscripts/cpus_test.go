package testscripts

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/toteworks/tote/engine/affinity"
	"github.com/toteworks/tote/engine/threads/threadstest"
)

// waitcpus READYFILE SERVING INTAKE: wait until every thread of the tote
// run that READYFILE names may run on the CPUs SERVING only, and every
// thread of its child process (the intake process) on INTAKE only; "all"
// is every CPU this test may use. Linux only (condition cpus01).
func cmdWaitCPUs(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: waitcpus READYFILE SERVING INTAKE")
	}
	all, err := affinity.Allowed()
	ts.Check(err)
	want := func(s string) string {
		if s == "all" {
			return all.String()
		}
		return s
	}
	pid := readyPid(ts, args[0])
	var serving, intake string
	poll(func(context.Context) bool {
		serving, intake = threadCPUs(pid), ""
		if child := childOf(pid); child > 0 {
			intake = threadCPUs(child)
		}
		return serving == want(args[1]) && intake == want(args[2])
	}, func() {
		ts.Fatalf("waitcpus: tote run's threads on %q and the intake's on %q within 30s, want %s and %s", serving, intake, want(args[1]), want(args[2]))
	})
}

// threadCPUs is the CPU list every thread of pid may run on, or the lists
// joined by " | " where the threads differ.
func threadCPUs(pid int) string {
	var lists []string
	for _, cpus := range threadstest.StatusField(pid, "Cpus_allowed_list") {
		if !slices.Contains(lists, cpus) {
			lists = append(lists, cpus)
		}
	}
	slices.Sort(lists)
	return strings.Join(lists, " | ")
}

// childOf is a child process of pid, or 0.
func childOf(pid int) int {
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		child, err := strconv.Atoi(p.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + p.Name() + "/stat")
		if err != nil {
			continue
		}
		// The parent's pid is the second field after the command's closing parenthesis.
		s := string(stat)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(pid) {
			return child
		}
	}
	return 0
}

// cpus01 holds where this test may run on CPUs 0 and 1 and keep a process
// to some of them.
func cpus01() bool {
	all, err := affinity.Allowed()
	return err == nil && len(all) >= 2 && all[0] == 0 && all[1] == 1
}
