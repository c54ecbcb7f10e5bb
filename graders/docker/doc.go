// Package docker holds grader's container-image kinds of check, the first
// slice of the DevOps track: docker.dockerfile reads a learner's
// Dockerfile (BuildKit's own parser, through [sandbox.ParseDockerfile])
// and applies the rules an exercise picks, in the spirit of hadolint;
// docker.image builds it and judges the image (its user, ports,
// HEALTHCHECK, and the files every layer the Dockerfile added ships);
// docker.run starts the image with no arguments and sends it HTTP
// requests in the format of http.requests.
//
// The build is untrusted code and goes through [sandbox.Engine.BuildImage]:
// no network for RUN steps, limits, a host-enforced timeout, FROM only
// through the image map. It happens once per attempt (a [runner.Memo]
// entry), before the checks' deadlines start, and the image is removed
// when the attempt ends. A build that fails through the learner's work
// (a parse error, a FROM that is not available, a RUN that fails) fails
// every check that needs the image with the same message; an engine that
// cannot build is an error.
package docker
