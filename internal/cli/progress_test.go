package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/clientele/clientele/internal/cli"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal and returns its master, which reads
// what is written to the terminal, and the terminal itself.
func openPTY(t *testing.T) (master, tty *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(master.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return master, tty
}

// TestImportProgressOnATerminal runs user import with its stderr on a
// terminal: it draws a progress line (rows, rate, outcomes) over itself,
// prints a bad row's line number on a line of its own above the progress
// line, which it then draws again, and ends the line when done. Into a
// file or a pipe none of that is written.
func TestImportProgressOnATerminal(t *testing.T) {
	setup(t)
	run(t, "realm", "create", "--uid", "acme", "--name", "Acme")
	var csv strings.Builder
	csv.WriteString("name,email\n")
	for i := range 30 {
		email := fmt.Sprintf("row%02d@example.com", i)
		if i == 13 { // line 15
			email = "not-an-email"
		}
		fmt.Fprintf(&csv, "Row %02d,%s\n", i, email)
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"user", "import", path, "--realm", "acme", "--batch", "10"}

	master, tty := openPTY(t)
	read := make(chan string)
	go func() {
		// Reading ends with an error (EIO) once the terminal is closed.
		out, _ := io.ReadAll(master)
		read <- string(out)
	}()
	var stdout bytes.Buffer
	code := cli.Run(context.Background(), args, strings.NewReader(""), &stdout, tty)
	tty.Close()
	out := <-read
	if code != 1 || !strings.Contains(stdout.String(), "30 rows: 29 created, 0 updated, 0 unchanged, 1 failed") {
		t.Fatalf("import: exit %d, stdout %q, terminal %q", code, stdout.String(), out)
	}
	// The terminal turns each "\n" into "\r\n".
	first := regexp.MustCompile(`^\r\x1b\[K10 rows, \d+ rows/s, 10 created, 0 updated, 0 unchanged, 0 failed`)
	if !first.MatchString(out) {
		t.Errorf("the first progress line is not drawn: %q", out)
	}
	bad := regexp.MustCompile(`\r\x1b\[Kline 15: [^\r\n]*email[^\r\n]*\r\n10 rows, [^\r\n]*`)
	if !bad.MatchString(out) {
		t.Errorf("the bad row is not printed above the progress line: %q", out)
	}
	if !strings.HasSuffix(out, "\r\n") {
		t.Errorf("the progress line is not ended: %q", out)
	}

	// Not a terminal: the bad row only.
	code, _, errOut := run(t, args...)
	if code != 1 || strings.Contains(errOut, "\x1b[K") || !strings.Contains(errOut, "line 15: ") {
		t.Errorf("import into a buffer: exit %d, stderr %q", code, errOut)
	}
}
