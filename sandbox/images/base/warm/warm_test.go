package warm

import (
	_ "net/http/httptest"
	_ "reflect"
	"testing"
	_ "testing/fstest"
)

func TestWarm(t *testing.T) {}
