"""Who may use the API: the same data in the starter and every solution. Do not edit.

The passwords are stored in plain text to keep the exercise short. A real
service never stores a password: it stores a slow, salted hash of it
(werkzeug.security.generate_password_hash, bcrypt or argon2) and checks a
login with check_password_hash.
"""

# username -> the user's password, full name and role ("admin" or "user")
USERS = {
    "ada": {"password": "Analytical-Engine-1843", "name": "Ada Lovelace", "role": "admin"},
    "linus": {"password": "Penguin-Kernel-1991", "name": "Linus Torvalds", "role": "user"},
    "grace": {"password": "Cobol-Compiler-1959", "name": "Grace Hopper", "role": "user"},
    "margaret": {"password": "Apollo-Guidance-1969", "name": "Margaret Hamilton", "role": "admin"},
}

# API key -> the name of the program that uses it (for GET /reports)
API_KEYS = {
    "rk_4f9c2a7e1b0d": "finance dashboard",
    "rk_8d03b6e5c172": "weekly mailer",
}
