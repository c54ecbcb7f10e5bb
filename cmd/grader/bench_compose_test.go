package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/backendroadmap/grader/sandbox/sandboxtest"
)

// BenchmarkComposeCheck times a whole `grader check` of a solved
// compose-postgres workspace (compose-go's reading and the policy, the
// app's image built with no network, then two stacks on private networks:
// one brought up and sent two requests, one brought up, written to, taken
// down and brought up again on its named volume, and everything removed)
// against its floor in the same run: the same work by hand with the
// docker CLI, as a person would do it without compose: the same build
// (--network none --no-cache), and three times the database with its
// healthcheck and a volume (both with --init, as grader starts them),
// waited for until healthy, then the app, polled
// until it answers over a published port, the same requests, and every
// container, volume, network and the image removed. Needs Docker and the
// local images.
func BenchmarkComposeCheck(b *testing.B) {
	bin := graderBinary(b)
	ws := solved(b, "compose-postgres")
	env := graderEnv(b.TempDir())
	pg := localImage(b, "postgres:15")
	// The build's FROM, as grader maps it (no registry here).
	df, err := os.ReadFile(filepath.Join(ws, "Dockerfile"))
	if err != nil {
		b.Fatal(err)
	}
	from, ok := sandboxtest.Images(b).ResolveFrom("python:3.11")
	if !ok {
		b.Fatal("the image map has no from:python:3.11")
	}
	dockerfile := strings.Replace(string(df), "FROM python:3.11", "FROM "+from, 1)

	var tCheck, tFloor time.Duration
	n := 0
	for b.Loop() {
		tCheck += timed(b, env, ws, bin, "check")
		tFloor += composeFloor(b, pg, dockerfile, ws)
		n++
	}
	b.ReportMetric(float64(tCheck.Milliseconds())/float64(n), "check-ms")
	b.ReportMetric(float64(tFloor.Milliseconds())/float64(n), "floor-ms")
	b.ReportMetric(float64(tCheck)/float64(tFloor), "x-floor")
}

// composeFloor is compose-postgres's work done by hand with the docker CLI.
func composeFloor(b *testing.B, pg, dockerfile, ws string) time.Duration {
	b.Helper()
	docker := func(args ...string) string {
		b.Helper()
		out, err := exec.Command("docker", args...).CombinedOutput()
		if err != nil {
			b.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	name := "grader-bench-compose-" + hex.EncodeToString(suffix[:])
	var cleanup []string // containers, then volumes, network, image
	defer func() {
		for _, c := range cleanup {
			kind, id, _ := strings.Cut(c, " ")
			args := []string{kind, "rm", id}
			if kind != "network" {
				args = []string{kind, "rm", "-f", id}
			}
			_ = exec.Command("docker", args...).Run()
		}
	}()

	start := time.Now()
	build := exec.Command("docker", "build", "-q", "--network", "none", "--no-cache", "-t", name, "-f", "-", ws)
	build.Stdin = strings.NewReader(dockerfile)
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("docker build: %v\n%s", err, out)
	}
	cleanup = append(cleanup, "image "+name)
	docker("network", "create", name)
	cleanup = append(cleanup, "network "+name)
	up := func(volume string) (db, app, addr string) {
		db = docker("run", "-d", "--init", "--network", name, "--network-alias", "db", "-v", volume+":/var/lib/postgresql/data",
			"-e", "POSTGRES_PASSWORD=example", "--health-cmd", "pg_isready -U postgres -h 127.0.0.1", "--health-interval", "1s", pg)
		cleanup = append([]string{"container " + db}, cleanup...)
		for docker("inspect", "-f", "{{.State.Health.Status}}", db) != "healthy" {
			if time.Since(start) > 2*time.Minute {
				b.Fatal("the database never became healthy")
			}
			time.Sleep(100 * time.Millisecond)
		}
		app = docker("run", "-d", "--init", "--network", name, "-p", "127.0.0.1::8000",
			"-e", "DATABASE_URL=postgres://postgres:example@db:5432/postgres", name)
		cleanup = append([]string{"container " + app}, cleanup...)
		addr = strings.Split(docker("port", app, "8000/tcp"), "\n")[0]
		for {
			resp, err := http.Get("http://" + addr + "/items")
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == 200 {
					return db, app, addr
				}
			}
			if time.Since(start) > 2*time.Minute {
				b.Fatalf("the app never answered: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	post := func(addr, item string) {
		resp, err := http.Post("http://"+addr+"/items", "application/json", strings.NewReader(fmt.Sprintf(`{"name":%q}`, item)))
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("POST /items: %v %v", err, resp)
		}
		resp.Body.Close()
	}
	has := func(addr, item string) {
		resp, err := http.Get("http://" + addr + "/items")
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(body), item) {
			b.Fatalf("GET /items lacks %s: %s", item, body)
		}
	}
	down := func(ids ...string) {
		for _, id := range ids {
			docker("stop", "-t", "10", id)
			docker("rm", id)
		}
	}
	vol1, vol2 := docker("volume", "create", name+"-1"), docker("volume", "create", name+"-2")
	cleanup = append(cleanup, "volume "+vol1, "volume "+vol2)
	// The stack check.
	db, app, addr := up(vol1)
	post(addr, "pen")
	has(addr, "pen")
	down(app, db)
	// The persists check: up, write, down, up, read.
	db, app, addr = up(vol2)
	post(addr, "ink")
	down(app, db)
	db, app, addr = up(vol2)
	has(addr, "ink")
	down(app, db)
	docker("volume", "rm", vol1, vol2)
	docker("network", "rm", name)
	docker("rmi", name)
	return time.Since(start)
}
