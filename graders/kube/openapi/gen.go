//go:build ignore

// gen writes k8s.json.gz, the trimmed Kubernetes API schemas graders/kube
// validates manifests against, from the OpenAPI v3 documents in the
// k8s.io/kubernetes module (api/openapi-spec/v3). Run it from this folder:
//
//	go mod download -json k8s.io/kubernetes@v1.35.4   # prints "Zip": PATH
//	go run gen.go PATH v1.35.4
//
// It keeps components.schemas of the group-versions below, and of each schema
// only the keywords validation reads: descriptions, defaults and patch
// strategies go (they are most of the bytes).
package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
)

// groupVersions are the API files kept: the objects a learner's manifests
// for an app hold (workloads, Services, config, Ingress, autoscaling, RBAC).
var groupVersions = []string{
	"api__v1",
	"apis__apps__v1",
	"apis__batch__v1",
	"apis__networking.k8s.io__v1",
	"apis__autoscaling__v2",
	"apis__policy__v1",
	"apis__rbac.authorization.k8s.io__v1",
}

var keep = map[string]bool{
	"type": true, "properties": true, "items": true, "required": true,
	"additionalProperties": true, "allOf": true, "oneOf": true, "anyOf": true,
	"$ref": true, "enum": true,
	"x-kubernetes-group-version-kind":      true,
	"x-kubernetes-preserve-unknown-fields": true,
	"x-kubernetes-int-or-string":           true,
	"x-kubernetes-embedded-resource":       true,
}

func trim(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if !keep[k] {
				continue
			}
			switch k {
			case "properties":
				props := map[string]any{}
				for name, s := range x.(map[string]any) {
					props[name] = trim(s)
				}
				out[k] = props
			case "items", "additionalProperties":
				out[k] = trim(x)
			case "allOf", "oneOf", "anyOf":
				var list []any
				for _, s := range x.([]any) {
					list = append(list, trim(s))
				}
				out[k] = list
			default:
				out[k] = x
			}
		}
		return out
	}
	return v
}

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: go run gen.go ZIP VERSION")
	}
	zr, err := zip.OpenReader(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	version := os.Args[2]
	schemas := map[string]any{}
	for _, gv := range groupVersions {
		name := fmt.Sprintf("k8s.io/kubernetes@%s/api/openapi-spec/v3/%s_openapi.json", version, gv)
		f, err := zr.Open(name)
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			log.Fatal(err)
		}
		var doc struct {
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		for k, s := range doc.Components.Schemas {
			schemas[k] = trim(s)
		}
	}
	out, err := json.Marshal(map[string]any{
		"info": map[string]any{
			"source":         "k8s.io/kubernetes " + version + " api/openapi-spec/v3, trimmed by gen.go",
			"group-versions": groupVersions,
		},
		"components": map[string]any{"schemas": schemas},
	})
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(out)
	zw.Close()
	if err := os.WriteFile("k8s.json.gz", buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d schemas, %d bytes of JSON, %d gzipped", len(schemas), len(out), buf.Len())
}
