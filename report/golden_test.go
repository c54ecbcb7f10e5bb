package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backendroadmap/grader/runner"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestGolden writes every fixture in every format and compares the output
// with testdata/<fixture>.<format>.golden. After a deliberate change to a
// format, run `go test ./report -update` and review the diff in git.
func TestGolden(t *testing.T) {
	fixtures := []struct {
		name    string
		reports []*runner.Report
	}{
		{"mixed", []*runner.Report{mixedReport()}},
		{"pass", []*runner.Report{passReport()}},
		{"fail", batchReports()[:1]},
		{"ungradable", []*runner.Report{ungradableReport()}},
		{"batch", batchReports()},
	}
	for _, fx := range fixtures {
		for _, f := range Formats {
			if f.CanWrite(len(fx.reports)) != nil {
				continue // refused: TestPlatformFormatsTakeOneSubmission
			}
			t.Run(fx.name+"/"+string(f), func(t *testing.T) {
				var out, summary bytes.Buffer
				o := Options{}
				if f == GitHub {
					o.StepSummary = &summary
				}
				if err := Write(&out, f, fx.reports, o); err != nil {
					t.Fatalf("Write: %v", err)
				}
				checkGolden(t, fx.name+"."+string(f)+".golden", out.Bytes())
				if f == GitHub {
					checkGolden(t, fx.name+".github-summary.golden", summary.Bytes())
				}
			})
		}
	}
	t.Run("pass/text-verbose", func(t *testing.T) {
		var out bytes.Buffer
		if err := Write(&out, Text, []*runner.Report{passReport()}, Options{Verbose: true}); err != nil {
			t.Fatalf("Write: %v", err)
		}
		checkGolden(t, "pass.text-verbose.golden", out.Bytes())
	})
}

// checkGolden compares got with testdata/name, or rewrites the file under
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run `go test ./report -update` to create it)", err)
	}
	// Diff by line: a golden file is read a line at a time.
	if diff := cmp.Diff(strings.Split(string(want), "\n"), strings.Split(string(got), "\n")); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s\nRun `go test ./report -update` if the change is intended.", path, diff)
	}
}
