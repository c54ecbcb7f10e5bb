package browser

import (
	"strconv"
	"strings"

	"github.com/backendroadmap/grader/sandbox"
)

// payload is one attack string grader injects. Each calls the marker (or,
// for the dialog path, alert) with its own id, so what ran names itself.
type payload struct {
	id int
	// text is what is injected.
	text string
	// context is where it breaks out, for the learner.
	context string
}

// payloads cover the contexts a value lands in: HTML text, attribute
// values in double, single and no quotes, a <script> block, and strings
// in JavaScript in both quotes. Several target the fixes that do not
// work: escaping < and > but not quotes (4, 5, 10), escaping quotes with
// a backslash only (11), blocking "<script" (2, 3, 9).
var payloads = []payload{
	{1, `<script>__graderXSS(1)</script>`, "HTML text: a <script> element"},
	{2, `<img src=x onerror=__graderXSS(2)>`, "HTML text: an element with an event handler"},
	{3, `"><svg onload=__graderXSS(3)>`, `a double-quoted attribute value, closed with "> to add an element`},
	{10, `" autofocus onfocus=__graderXSS(10) x="`, `a double-quoted attribute value, closed with " to add an event handler (no < or > needed)`},
	{4, `' autofocus onfocus=__graderXSS(4) x='`, "a single-quoted attribute value, closed with ' to add an event handler"},
	{5, `x autofocus onfocus=__graderXSS(5)`, "an attribute value without quotes: a space starts a new attribute"},
	{6, `</script><script>__graderXSS(6)</script>`, "a <script> block: </script> ends it, wherever it is, even inside a JavaScript string"},
	{7, `";__graderXSS(7);//`, `a JavaScript string in double quotes, closed with "`},
	{8, `';__graderXSS(8);//`, "a JavaScript string in single quotes, closed with '"},
	{11, `\";__graderXSS(11);//`, `a JavaScript string whose quotes are escaped with a backslash, but not the backslash itself`},
	{12, `</title></textarea></style></noscript><script>__graderXSS(12)</script>`, "an element whose content is text until its end tag (<title>, <textarea>, <style>): the end tag ends it"},
	{9, `<img src=x onerror=alert(9)>`, "HTML text: an element whose event handler opens a dialog"},
}

// byID finds a payload by the id its marker call or dialog reports.
func byID(s string) (payload, bool) {
	id, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return payload{}, false
	}
	for _, p := range payloads {
		if p.id == id {
			return p, true
		}
	}
	return payload{}, false
}

// visible is the payload as a learner tries it in their own browser,
// which has no marker function: the marker call becomes an alert.
func (p payload) visible() string {
	return strings.ReplaceAll(p.text, sandbox.Marker+"(", "alert(")
}
