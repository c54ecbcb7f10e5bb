// Package exercises is grader's catalog: it reads and validates exercise specs
// (exercise.yaml), finds exercises in a catalog (the one embedded in the binary,
// a folder, or a git repository), and makes a learner's workspace from an
// exercise's starter.
//
// A catalog is any folder tree; every folder holding an exercise.yaml is one
// exercise, and the folder's name is the exercise's id. The format is documented
// in docs/exercise-format.md and, for editors, in exercise.schema.json.
package exercises
