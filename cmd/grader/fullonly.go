package main

// fullOnly is how a command that needs Docker and its clients (which the
// lean build leaves out, see [fullBinary]) is listed in both builds' help:
// grader-full runs it, the lean build hands its whole command line over.
type fullOnly struct{ use, short string }

// The commands only grader-full runs.
var (
	dbCmd = fullOnly{"db [ID]", "Open the exercise's database: the data every check starts from"}
	gcCmd = fullOnly{"gc [--older-than DUR] [--dry-run]",
		"Remove containers, images, volumes and networks that grader left on Docker"}
	serveCmd = fullOnly{"serve [--addr HOST:PORT] [--database-url URL] [--workers N] [--no-api]",
		"Grade a class's submissions as a service: API, job queue, class page"}
	stopCmd = fullOnly{"stop", "Stop the warm database server and code sandbox kept between checks"}
)
