// Package compose holds grader's Docker Compose kinds of check, part of
// the DevOps track: compose.file reads a learner's compose.yaml with
// compose-go (the Compose specification's reference loader) and judges
// what it declares (services, healthchecks, depends_on conditions, named
// volumes); compose.up brings the stack up in the sandbox and sends HTTP
// requests to one of its services, in the format of http.requests,
// optionally taking the stack down and up again to see whether its data
// survived.
//
// A compose file is untrusted input that asks for containers. It is read
// through the attempt's safe reader and loaded with no environment of the
// host (${VAR} takes the workspace's .env, else is empty unless the file
// gives a default), with no
// include, env_file or extends from another file (nothing but the file
// itself is read). Then a policy refuses, with the line, what would reach
// outside the sandbox: privileged, cap_add, host namespaces, devices,
// security_opt, bind mounts, external volumes and networks, and images
// that the image map does not hold. `ports:` is ignored: grader reaches
// the services over the stack's own private network, through its probe.
//
// compose.up runs what passed in [sandbox.Engine]: one private internal
// network per check, a hardened container a service
// ([sandbox.Engine.StartStackService]) with the service name as its DNS
// alias, a labelled Docker volume per named volume, images of `build:`
// sections built once per attempt with no network
// ([sandbox.Engine.BuildImage]). Services start in depends_on order and
// each waits for its dependencies' conditions, as docker compose does:
// service_healthy waits for the engine's own healthcheck status, with a
// deadline, and a dependency that never gets there fails the check with
// its name, its last healthcheck output and its last log lines. Restart
// policies are not applied: a service that crashes stays down, so an app
// that starts before its database is ready shows. Everything is removed
// when the check ends, also on Ctrl-C (the engine's labels and `grader gc`
// cover a crash).
package compose
