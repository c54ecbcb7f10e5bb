package exercises

import (
	"embed"
	"io/fs"
)

// The default catalog ships inside the binary, so a learner needs nothing but
// grader itself. `all:` keeps dotfiles such as a starter's .gitignore.
//
//go:embed all:catalog
var embedded embed.FS

// EmbeddedName is the [Catalog.Name] of the catalog built into the binary.
const EmbeddedName = "embedded"

// Embedded returns the catalog folder built into the binary.
func Embedded() fs.FS {
	sub, err := fs.Sub(embedded, "catalog")
	if err != nil {
		panic(err) // the folder is fixed at build time
	}
	return sub
}
