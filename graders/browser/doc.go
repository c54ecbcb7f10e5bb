// Package browser holds grader's browser check kinds (sec.xss, from
// [Kinds]): the security track, where a learner fixes a web page that runs
// what an attacker sends it.
//
// Whether a page is vulnerable to cross-site scripting cannot be judged
// from its HTML text: what runs depends on how a browser parses it (an
// escaped quote that still ends an attribute, a </script> inside a string,
// an attribute without quotes). So the checks load the learner's pages in
// a real headless Chromium that runs in the attempt's sandbox, on its
// private network ([sandbox.Browser]), with grader's own payloads, and a
// check fails only when a script really ran: the page called the marker
// function ([sandbox.Marker]) or opened a dialog. The message names the
// exact payload, where it was injected, the context it broke out of, and
// what reproduces it by hand.
//
// A page that shows nothing is not safe, it is broken: each injection
// point can also send the exercise's real text (with <, & and quotes) and
// require the page to show it as text, read from the DOM in a JavaScript
// world of grader's own. That fails fixes that strip characters or escape
// twice. An optional csp assertion requires a Content-Security-Policy that
// forbids inline scripts.
//
// Every parameter is checked when the catalog loads; a mistake is a
// *[runner.ParamError] at its field.
package browser
