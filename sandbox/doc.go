// Package sandbox runs one command of untrusted code in a hardened, labelled
// Docker container and always cleans up after it.
//
// A run ([Engine.Run]) starts a holder container (init + sleep, as nobody) on a
// private tmpfs volume that becomes the command's working folder, copies the
// exercise's files in as a tar stream (never a bind mount of the learner's
// folder), and runs the command in it with docker exec as a fixed non-root
// user. The wall clock is enforced from the host, output is capped while it
// streams, and when the command ends the container is frozen before declared
// outputs are copied back out through [os.Root], refusing links, devices and
// paths that leave the destination. Which limit ended a run comes from the
// engine's own state (OOMKilled, the pids cgroup) and from the host's own timer
// and output counter, never from what the program printed.
//
// Why exec into a holder rather than make the command the container's main
// process: a tmpfs volume keeps its contents only while some container that
// mounts it runs, and the working folder must be tmpfs so that a submission
// cannot fill the host's disk (its pages are charged to the container's memory
// limit). The holder keeps the volume mounted from copy-in to copy-out. As a
// bonus, exec output never reaches the engine's json-file log. Images must
// therefore provide `sleep`; the ones `make images` builds do.
//
// A run's files (up to [unpackMax]) go in through the command's own exec:
// its stdin starts with their tar, which sh, dd and tar unpack as the
// command's user before the command replaces them ([unpackScript]). The
// engine's archive call costs as much as a whole exec on a slow engine, and
// no code of the run's is in the container yet. Larger files, and an app's,
// are copied in by the engine.
//
// [Engine.RunWarm] keeps the holder for a learner's next run of the same
// image (their own checks, never a batch), hardened the same, reset between
// runs and verified from the host's view of its cgroup; see warm.go.
//
// Every container, built image, volume and network carries the
// [LabelManaged], [LabelOwner] and [LabelCreated] labels. Each run removes what it created with a fresh
// context, so a cancelled run still cleans up; [Engine.Close] removes whatever a
// run left behind; [Engine.GC] (`grader gc`) sweeps what a crashed process
// left. testcontainers' reaper (Ryuk) cannot be pulled without a registry, so
// this package owns that cleanup.
//
// Service containers (a PostgreSQL, a Redis) are started by
// [Engine.StartService]: trusted images, a port published on 127.0.0.1 only,
// data on a tmpfs, the same labels and cleanup. One kept for the next
// process (a warm database) is found again by its labels with
// [Engine.FindServices].
//
// [Engine] is the only thing in grader that talks to Docker: other packages
// (sandbox/postgres included) go through it, so labels, image checks, the
// mapping of engine failures to [ErrNoDocker] and cleanup live here once.
//
// A learner's Dockerfile is built by [Engine.BuildImage], as untrusted code
// too: the legacy builder with no network for RUN steps, limits on each
// step's container, a host-enforced timeout, a capped build context (what
// `docker build .` would send, .dockerignore honoured) and output, no
// pulling, and FROM only through the image map ("from:" keys), on a copy of
// the Dockerfile parsed with BuildKit's own parser ([ParseDockerfile]). The
// image is labelled like every resource; [Image.Layers] reads what each
// layer the Dockerfile added holds (a file deleted later still ships), and
// [Engine.StartImage] runs it as a server with its own user and command,
// hardened but for the read-only root.
//
// Images named by exercises (postgres:16, python:3.12, ...) go through an
// [ImageMap], so an air-gapped machine can point them at local builds
// (`make images`). Docker being unreachable is [ErrNoDocker]; an image that is
// missing and cannot be pulled is [ErrImageMissing]; both are infrastructure
// errors whose message says what to do.
package sandbox
