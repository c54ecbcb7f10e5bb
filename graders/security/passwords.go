package security

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/backendroadmap/grader/graders/httpcheck"
	"github.com/backendroadmap/grader/runner"
	"github.com/backendroadmap/grader/sandbox/attempt"
)

// passwordsParams are sec.passwords's parameters.
type passwordsParams struct {
	Fresh bool `yaml:"fresh"`
	// Register creates a user from {{username}} and {{password}}.
	Register []httpcheck.RequestSpec `yaml:"register"`
	// Login must meet its expect with the user's right {{password}}.
	Login []httpcheck.RequestSpec `yaml:"login"`
	// Rejected must meet its expect (a refusal) with a wrong {{password}}.
	Rejected []httpcheck.RequestSpec `yaml:"rejected"`
	// Stored reads what the server stored for a user: SQL with $1 the
	// username, whose first column is the stored password.
	Stored string `yaml:"stored"`
	// Existing are users the exercise's data already holds (with the
	// password each had), whose stored passwords must have been migrated.
	Existing []existingUser `yaml:"existing"`
}

type existingUser struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// newPassword is what the registered users get: symbols, quotes, a space
// and a non-ASCII letter, which a careless encoding or comparison breaks.
const newPassword = `c0rrect "horse" bättery; st@ple'&`

type passwordsCheck struct {
	register, login, rejected *httpcheck.Script
	stored                    string
	existing                  []existingUser
}

// compilePasswords builds sec.passwords: the server must store passwords
// as slow salted hashes (argon2id, bcrypt or scrypt, recognised by their
// format in the attempt's database), different for the same password
// twice, while the right password still logs in and a wrong one does not.
func (k *kinds) compilePasswords(p runner.Params) (runner.Checker, error) {
	var prm passwordsParams
	plan, err := httpcheck.CompileServer(p, &prm)
	if err != nil {
		return nil, err
	}
	c := &passwordsCheck{stored: strings.TrimSpace(prm.Stored), existing: prm.Existing}
	if c.stored == "" {
		return nil, paramErr("stored", "is required: the SQL that reads a user's stored password, with $1 the username, like SELECT password FROM users WHERE username = $1")
	}
	if !strings.Contains(c.stored, "$1") {
		return nil, paramErr("stored", "must use $1 for the username")
	}
	if c.login, err = plan.CompileScript(prm.Login, "login", "Login request", p.Hidden, "username", "password"); err != nil {
		return nil, err
	}
	if c.rejected, err = plan.CompileScript(prm.Rejected, "rejected", "Login request with a wrong password", p.Hidden, "username", "password"); err != nil {
		return nil, err
	}
	if len(prm.Register) > 0 {
		if c.register, err = plan.CompileScript(prm.Register, "register", "Register request", p.Hidden, "username", "password"); err != nil {
			return nil, err
		}
	}
	for i, u := range c.existing {
		if u.Username == "" || u.Password == "" {
			return nil, paramErr(fmt.Sprintf("existing[%d]", i), "give the user's username and the password it had")
		}
	}
	if c.register == nil && len(c.existing) == 0 {
		return nil, paramErr("register", "give register (requests that create a user) or existing (users the data holds), or both")
	}
	return plan.Checker(k.servers, prm.Fresh, c.run), nil
}

func (c *passwordsCheck) run(ctx context.Context, _ runner.Attempt, t httpcheck.Target) runner.Outcome {
	db, ok := t.(database)
	if !ok {
		return runner.Errored(errors.New("sec.passwords: the server offers no database to read"))
	}
	read := func(user string) (string, *runner.Outcome) {
		rows, err := db.Query(ctx, c.stored, user)
		switch {
		case errors.Is(err, attempt.ErrNoDatabase):
			out := runner.Errored(fmt.Errorf("sec.passwords %w", errNoDB))
			return "", &out
		case err != nil:
			out := runner.Failed("grader could not read %s's stored password from your database (%s): %v. Keep the exercise's table and column.", user, c.stored, err)
			return "", &out
		case len(rows) != 1:
			out := runner.Failed("grader looked for %s's stored password with `%s` and found %d rows, not one. Keep one row per user in the exercise's table.", user, c.stored, len(rows))
			return "", &out
		}
		return rows[0], nil
	}
	logIn := func(user, password, what string) *runner.Outcome {
		if out := c.login.Run(ctx, t, map[string]any{"username": user, "password": password}); out != nil {
			out.Message = fmt.Sprintf("%s can no longer log in with the right password.\n%s", what, out.Message)
			return out
		}
		wrong := password + "x"
		if out := c.rejected.Run(ctx, t, map[string]any{"username": user, "password": wrong}); out != nil {
			out.Message = fmt.Sprintf("%s logs in with a wrong password.\n%s", what, out.Message)
			return out
		}
		return nil
	}
	for _, u := range c.existing {
		h, out := read(u.Username)
		if out != nil {
			return *out
		}
		if ok, what := classify(h, u.Password); !ok {
			return runner.Failed("%s's password, which was in the database before your change, is stored as %s. Every existing password must be replaced by its hash too (a migration that hashes each stored password once), or the leak of the table still gives them away.", u.Username, what)
		}
		if out := logIn(u.Username, u.Password, u.Username+" (an existing user)"); out != nil {
			return *out
		}
	}
	if c.register != nil {
		users := []string{"zq" + randomHex(4), "zq" + randomHex(4)}
		hashes := make([]string, len(users))
		for i, u := range users {
			if out := c.register.Run(ctx, t, map[string]any{"username": u, "password": newPassword}); out != nil {
				out.Message = fmt.Sprintf("Registering a new user %s with the password %s did not work.\n%s", u, quoteValue(newPassword), out.Message)
				return *out
			}
			h, out := read(u)
			if out != nil {
				return *out
			}
			if ok, what := classify(h, newPassword); !ok {
				return runner.Failed("grader registered %s with the password %s, and your server stored it as %s.", u, quoteValue(newPassword), what)
			}
			hashes[i] = h
		}
		if hashes[0] == hashes[1] {
			return runner.Failed("grader registered two users with the same password, and your server stored the same value for both (%s). A hash needs a random salt of its own for every password, or equal passwords show in a leaked table and one precomputed guess cracks them all; the libraries make one for you (bcrypt.gensalt(), argon2's PasswordHasher).", short(hashes[0]))
		}
		for _, u := range users {
			if out := logIn(u, newPassword, "A newly registered user"); out != nil {
				return *out
			}
		}
	}
	n := len(c.existing)
	msg := "passwords are stored as slow salted hashes"
	if c.register != nil {
		msg += ", different for the same password twice"
	}
	if n > 0 {
		msg += fmt.Sprintf("; %d existing users were migrated", n)
	}
	return runner.Passed(msg + ", and logins still work")
}

// The formats classify reads, compiled on first use: every grader process
// links this package, and few classify a password.
var (
	bcryptHash = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$`) })
	argon2Hash = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\$argon2id\$v=\d+\$m=(\d+),t=(\d+),p=\d+\$[A-Za-z0-9+/]+={0,2}\$[A-Za-z0-9+/]+={0,2}$`)
	})
	hexDigest = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(?i)[0-9a-f]+$`) })
)

// classify says whether stored is a slow salted hash of password by its
// format (argon2id, bcrypt with cost 10 or more, scrypt), and if not, what
// it is, for the message.
func classify(stored, password string) (strong bool, what string) {
	switch {
	case stored == "":
		return false, "an empty value"
	case stored == password:
		return false, "the password itself, as typed (plain text)"
	case len(password) >= 8 && strings.Contains(stored, password):
		return false, fmt.Sprintf("a value that holds the password as typed (%s)", short(stored))
	case strings.HasPrefix(stored, "$argon2id$"):
		m := argon2Hash().FindStringSubmatch(stored)
		if m == nil {
			return false, fmt.Sprintf("an argon2id hash grader cannot read (%s)", short(stored))
		}
		mem, _ := strconv.Atoi(m[1])
		if mem < 19*1024 {
			return false, fmt.Sprintf("an argon2id hash with only %d KiB of memory (%s); use at least 19 MiB (argon2's defaults do)", mem, short(stored))
		}
		return true, "argon2id"
	case strings.HasPrefix(stored, "$argon2i$"), strings.HasPrefix(stored, "$argon2d$"):
		return false, fmt.Sprintf("%s, not argon2id (%s): argon2id is the variant meant for passwords", strings.Split(stored, "$")[1], short(stored))
	case strings.HasPrefix(stored, "$2"):
		m := bcryptHash().FindStringSubmatch(stored)
		if m == nil {
			return false, fmt.Sprintf("a bcrypt hash grader cannot read (%s)", short(stored))
		}
		if cost, _ := strconv.Atoi(m[1]); cost < 10 {
			return false, fmt.Sprintf("a bcrypt hash with cost %d (%s): use 10 or more, so each guess is slow", cost, short(stored))
		}
		return true, "bcrypt"
	case strings.HasPrefix(stored, "scrypt:"), strings.HasPrefix(stored, "scrypt$"), strings.HasPrefix(stored, "$scrypt$"), strings.HasPrefix(stored, "$7$"):
		return true, "scrypt"
	case strings.HasPrefix(stored, "pbkdf2"), strings.HasPrefix(stored, "$pbkdf2"):
		return false, fmt.Sprintf("a PBKDF2 hash (%s); this exercise asks for argon2id, bcrypt or scrypt, which make each guess cost memory as well as time", short(stored))
	case hexDigest().MatchString(stored) && (len(stored) == 32 || len(stored) == 40 || len(stored) == 64 || len(stored) == 128):
		names := map[int]string{32: "MD5", 40: "SHA-1", 64: "SHA-256", 128: "SHA-512"}
		return false, fmt.Sprintf("what looks like an unsalted %s digest (%s): a fast hash is guessed billions of times a second, and equal passwords give equal digests", names[len(stored)], short(stored))
	}
	return false, fmt.Sprintf("%s, which is not an argon2id, bcrypt or scrypt hash grader recognises (they start with $argon2id$, $2b$ or scrypt)", short(stored))
}

// short shows the start of a stored value.
func short(s string) string {
	if len(s) > 16 {
		s = s[:16] + "…"
	}
	return "`" + s + "`"
}
