package pow

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestPureCore enforces what doc.go promises: no I/O, clock, logging or
// randomness can be imported, and no package-level variables exist.
func TestPureCore(t *testing.T) {
	allowed := map[string]bool{
		"encoding/binary": true,
		"fmt":             true, // error descriptions only
		"math/big":        true,
		"slices":          true,
		"github.com/ballast-chain/ballast/internal/chainhash": true,
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if !allowed[path] {
				t.Errorf("%s imports %q; package pow is a pure core", name, path)
			}
		}
		for _, decl := range f.Decls {
			if g, ok := decl.(*ast.GenDecl); ok && g.Tok == token.VAR {
				t.Errorf("%s: package-level var at %v; package pow keeps no state", name, fset.Position(g.Pos()))
			}
		}
	}
	if checked == 0 {
		t.Fatal("no source files checked")
	}
}
