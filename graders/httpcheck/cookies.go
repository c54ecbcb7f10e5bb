package httpcheck

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Cookies: a session's safety lives in its cookie's attributes (HttpOnly,
// SameSite, Secure), in whether a new one is issued at login, and in
// whether logout clears it. A header matcher over Set-Cookie cannot say
// which cookie an attribute belongs to when several are set, so an expect
// names cookies, parsed the way a browser parses them.

// cookieSpec is what one cookie an answer sets must be.
type cookieSpec struct {
	// HTTPOnly: the page's scripts cannot read it (true), or may.
	HTTPOnly *bool `yaml:"http_only"`
	// Secure: sent over HTTPS only.
	Secure *bool `yaml:"secure"`
	// SameSite lists the values allowed (strict, lax, none), ignoring case.
	SameSite []string `yaml:"same_site"`
	// Value is a matcher on its value, like {not: {equals: "{{sid}}"}}.
	Value yaml.Node `yaml:"value"`
	// Cleared: the answer deletes it (Max-Age=0, an Expires in the past,
	// or an empty value), as a logout does.
	Cleared bool `yaml:"cleared"`
}

// cookieCheck is a compiled cookieSpec.
type cookieCheck struct {
	name     string
	httpOnly *bool
	secure   *bool
	sameSite []http.SameSite
	value    matcher
	cleared  bool
}

var sameSiteModes = map[string]http.SameSite{
	"strict": http.SameSiteStrictMode,
	"lax":    http.SameSiteLaxMode,
	"none":   http.SameSiteNoneMode,
}

// compileCookies compiles an expect's cookies block.
func compileCookies(specs map[string]cookieSpec, field string, sc scope) ([]cookieCheck, error) {
	var out []cookieCheck
	for _, name := range sortedKeys(specs) {
		s := specs[name]
		f := field + ".cookies." + name
		if !headerName().MatchString(name) {
			return nil, paramErr(f, "%q is not a cookie name", name)
		}
		c := cookieCheck{name: name, httpOnly: s.HTTPOnly, secure: s.Secure, cleared: s.Cleared}
		for i, m := range s.SameSite {
			mode, ok := sameSiteModes[strings.ToLower(m)]
			if !ok {
				return nil, paramErr(fmt.Sprintf("%s.same_site[%d]", f, i), "%q is not a SameSite value: use strict, lax or none", m)
			}
			c.sameSite = append(c.sameSite, mode)
		}
		if s.Value.Kind != 0 {
			m, err := parseMatcher(&s.Value, f+".value", inHeader, sc)
			if err != nil {
				return nil, err
			}
			c.value = m
		}
		if c.cleared && (c.value != nil || c.httpOnly != nil || c.secure != nil || len(c.sameSite) > 0) {
			return nil, paramErr(f, "a cleared cookie has nothing else to check: give cleared alone")
		}
		out = append(out, c)
	}
	return out, nil
}

// setCookie returns the last cookie named name the answer sets, or nil.
func setCookie(h http.Header, name string) *http.Cookie {
	var found *http.Cookie
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			found = c
		}
	}
	return found
}

// check judges the answer's Set-Cookie headers.
func (c *cookieCheck) check(h http.Header, v vars) *problem {
	ck := setCookie(h, c.name)
	if ck == nil {
		return &problem{msg: fmt.Sprintf("it should set the cookie %s (a Set-Cookie header), but does not", c.name)}
	}
	raw := "Set-Cookie: " + ck.Raw
	if c.cleared {
		gone := ck.Value == "" || ck.MaxAge < 0 || (!ck.Expires.IsZero() && ck.Expires.Before(time.Now()))
		if !gone {
			return &problem{msg: fmt.Sprintf("it should clear the cookie %s (Max-Age=0 or an Expires in the past), but it sets it (%s)", c.name, raw)}
		}
		return nil
	}
	if ck.Value == "" || ck.MaxAge < 0 {
		return &problem{msg: fmt.Sprintf("it clears the cookie %s instead of setting it (%s)", c.name, raw)}
	}
	if c.httpOnly != nil && ck.HttpOnly != *c.httpOnly {
		if *c.httpOnly {
			return &problem{msg: fmt.Sprintf("the cookie %s should be HttpOnly, so a script on the page (an XSS) cannot read it, but it is not (%s)", c.name, raw)}
		}
		return &problem{msg: fmt.Sprintf("the cookie %s should not be HttpOnly (%s)", c.name, raw)}
	}
	if c.secure != nil && ck.Secure != *c.secure {
		if *c.secure {
			return &problem{msg: fmt.Sprintf("the cookie %s should be Secure, sent over HTTPS only, but it is not (%s)", c.name, raw)}
		}
		return &problem{msg: fmt.Sprintf("the cookie %s should not be Secure: the exercise's server is reached over plain HTTP (%s)", c.name, raw)}
	}
	if len(c.sameSite) > 0 && !slices.Contains(c.sameSite, ck.SameSite) {
		var want []string
		for _, m := range c.sameSite {
			want = append(want, sameSiteName(m))
		}
		return &problem{msg: fmt.Sprintf("the cookie %s should carry SameSite=%s, so other sites' pages cannot send it along, but it has %s (%s)",
			c.name, strings.Join(want, " or SameSite="), sameSiteName(ck.SameSite), raw)}
	}
	if c.value != nil {
		s := subject{present: true, v: ck.Value, text: true}
		if !c.value.test(s, v) {
			return &problem{
				msg:   fmt.Sprintf("the cookie %s's value should %s, but it is %s", c.name, c.value.describe(v), show(ck.Value)),
				quiet: fmt.Sprintf("the cookie %s's value is not what this check expects", c.name),
			}
		}
	}
	return nil
}

// sameSiteName says a cookie's SameSite as Set-Cookie writes it.
func sameSiteName(m http.SameSite) string {
	switch m {
	case http.SameSiteStrictMode:
		return "Strict"
	case http.SameSiteLaxMode:
		return "Lax"
	case http.SameSiteNoneMode:
		return "None"
	}
	return "no SameSite attribute"
}

// captureRegexp compiles a capture's regex: its first group is what it
// takes (the whole match when it has none).
func captureRegexp(s, field string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, paramErr(field, "%q is not a regular expression (Go's RE2 syntax): %v", s, err)
	}
	if re.NumSubexp() > 1 {
		return nil, paramErr(field, "%q has %d groups; a capture takes one: use (?:...) for the others", s, re.NumSubexp())
	}
	return re, nil
}

// jars are a check's cookie jars by name. A jar keeps the cookies its
// requests' answers set, by name, and sends them all with its next
// requests: one host, so no domain or path matching, and Secure cookies
// are sent too (browsers treat a server on localhost as secure, and the
// learner's is reached over plain HTTP on loopback).
type jars map[string]map[string]string

// header is the Cookie header jar name sends, or "".
func (j jars) header(name string) string {
	cs := j[name]
	var parts []string
	for _, k := range sortedKeys(cs) {
		parts = append(parts, k+"="+cs[k])
	}
	return strings.Join(parts, "; ")
}

// keep stores what an answer's Set-Cookie headers set in jar name, and
// drops what they delete.
func (j jars) keep(name string, h http.Header) {
	cs := j[name]
	if cs == nil {
		cs = map[string]string{}
		j[name] = cs
	}
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.MaxAge < 0 || (!c.Expires.IsZero() && c.Expires.Before(time.Now())) {
			delete(cs, c.Name)
			continue
		}
		cs[c.Name] = c.Value
	}
}
