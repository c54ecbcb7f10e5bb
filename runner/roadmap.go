package runner

// Skill is one column of the backend roadmap. Exercises belong to exactly one.
type Skill string

// The skills of the backend roadmap, in the order the roadmap teaches them.
const (
	Programming    Skill = "programming"
	VersionControl Skill = "version-control"
	Databases      Skill = "databases"
	APIs           Skill = "apis"
	Security       Skill = "security"
	DevOps         Skill = "devops"
)

// Skills lists every skill in roadmap order, including skills that have no
// exercises yet, so the roadmap always shows the whole path.
var Skills = []Skill{Programming, VersionControl, Databases, APIs, Security, DevOps}

// Phase is how far along a skill an exercise sits.
type Phase string

// The three phases each skill is taught in.
const (
	Beginner     Phase = "beginner"
	Intermediate Phase = "intermediate"
	Advanced     Phase = "advanced"
)

// Phases lists the phases in teaching order.
var Phases = []Phase{Beginner, Intermediate, Advanced}

// Valid reports whether s is one of [Skills].
func (s Skill) Valid() bool {
	for _, k := range Skills {
		if s == k {
			return true
		}
	}
	return false
}

// Valid reports whether p is one of [Phases].
func (p Phase) Valid() bool {
	for _, k := range Phases {
		if p == k {
			return true
		}
	}
	return false
}
