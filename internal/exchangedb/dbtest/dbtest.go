// Package dbtest gives tests a fresh database of each supported engine: a
// SQLite file in a temp directory and a private PostgreSQL cluster started
// with initdb/pg_ctl on a 127.0.0.1 port (as the postgres user when the
// tests run as root, since initdb refuses root).
package dbtest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/ballast-chain/ballast/internal/exchangedb"
)

// Engines returns a config for each engine; each test should run its
// body for both (t.Run per engine). PostgreSQL is skipped (only) when its
// binaries are not installed.
func Engines(t testing.TB) map[string]func(t testing.TB) exchangedb.Config {
	return map[string]func(t testing.TB) exchangedb.Config{
		"sqlite": func(t testing.TB) exchangedb.Config {
			return exchangedb.Config{Driver: exchangedb.SQLite, DSN: exchangedb.DSN(filepath.Join(t.TempDir(), "venue.db"))}
		},
		"postgres": Postgres,
	}
}

// PGBinDir finds the PostgreSQL server binaries, or "".
func PGBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(dirs)
	for i := len(dirs) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(dirs[i], "initdb")); err == nil {
			return dirs[i]
		}
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		return filepath.Dir(p)
	}
	return ""
}

// Postgres starts a private cluster for the test and returns its config.
func Postgres(t testing.TB) exchangedb.Config {
	t.Helper()
	bin := PGBinDir()
	if bin == "" {
		missing(t, "PostgreSQL is not installed: run scripts/install-deps.sh (apt-get install postgresql)")
	}
	dir, err := os.MkdirTemp("", "ballast-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	var runAs []string
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			missing(t, "running as root and no postgres user to run initdb as: run scripts/install-deps.sh")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
		runAs = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) {
		t.Helper()
		full := append(append([]string{}, runAs...), args...)
		out, err := exec.Command(full[0], full[1:]...).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
	}
	data := filepath.Join(dir, "data")
	run(filepath.Join(bin, "initdb"), "-D", data, "-U", "ballast", "--auth=trust", "-E", "UTF8", "--no-sync")
	port := freePort(t)
	run(filepath.Join(bin, "pg_ctl"), "-D", data, "-w", "-l", filepath.Join(dir, "log"), "-o",
		fmt.Sprintf("-h 127.0.0.1 -p %d -k %s -F", port, dir), "start")
	t.Cleanup(func() {
		full := append(append([]string{}, runAs...), filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop")
		_ = exec.Command(full[0], full[1:]...).Run()
	})
	return exchangedb.Config{Driver: exchangedb.Postgres,
		DSN: exchangedb.DSN(fmt.Sprintf("postgres://ballast@127.0.0.1:%d/postgres?sslmode=disable", port))}
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// missing skips a test whose PostgreSQL is not installed on a developer's
// machine, but fails it under CI, where make test installs it: a silent skip
// there would hide the PostgreSQL half of the suite.
func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatal(why)
	}
	t.Skip(why)
}
