//go:build !race

package main

// raceBuild: this test binary runs with the race detector.
const raceBuild = false
