"""The API's users and articles when the server starts: the same data in the starter and every solution. Do not edit.

Each user has a fixed bearer token, so that you can try the API without a
login endpoint (a real service issues tokens at login, as in api-auth, and
never keeps them in its code).
"""

# Roles, from the least to the most allowed: each one may do everything the
# ones before it may, and more.
ROLES = ("viewer", "editor", "admin")

USERS = [
    {"id": 1, "name": "Ada", "role": "admin", "token": "tok_ada_4c1f9e27b85d"},
    {"id": 2, "name": "Ed", "role": "editor", "token": "tok_ed_93a0d6b1e4c7"},
    {"id": 3, "name": "Edith", "role": "editor", "token": "tok_edith_5b7e2c90fa13"},
    {"id": 4, "name": "Vera", "role": "viewer", "token": "tok_vera_d28f4a6c1e05"},
    {"id": 5, "name": "Grace", "role": "admin", "token": "tok_grace_8e6b3d0c7a92"},
    {"id": 6, "name": "Ken", "role": "editor", "token": "tok_ken_1f5a9c3e7d24"},
    {"id": 7, "name": "Linus", "role": "viewer", "token": "tok_linus_6d0b8e2f4a71"},
]

ARTICLES = [
    {"id": 1, "title": "Hello, world", "body": "Our first article.", "author_id": 2},
    {"id": 2, "title": "Release notes 1.0", "body": "What is new.", "author_id": 3},
    {"id": 3, "title": "Style guide", "body": "How we write.", "author_id": 2},
    {"id": 4, "title": "On-call handbook", "body": "Who to wake up.", "author_id": 6},
    {"id": 5, "title": "Roadmap 2027", "body": "What comes next.", "author_id": 3},
]
