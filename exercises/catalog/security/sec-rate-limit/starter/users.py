"""Who may log in: the same data in the starter and every solution. Do not edit.

Only a hash of each password is stored (werkzeug.security's PBKDF2, with fewer
iterations than a real service would use, so that the checks run quickly).
The passwords of the users you can try by hand are in instructions.md.
"""

# username -> hash of the password (check it with check_password_hash)
USERS = {
    'alice': 'pbkdf2:sha256:20000$E1ycO4w4IAQeqfsb$7a27c803c8787761820488434a8d00f0293f2c2b81a5e93adbb4509fd35a0dbc',
    'bob': 'pbkdf2:sha256:20000$GpkY7l6oFnrJ96xJ$44463ad3fba41d7c9e0b26a5db4c4925e9c7ce253e062ca68279d29458d9abe1',
    "o'brien": 'pbkdf2:sha256:20000$mBOXDNLZ43PJeIe9$8b15c9b6756bf52a34416087a84918acac09fdce76adb678433deb666028b7a2',
    'carol': 'pbkdf2:sha256:20000$iHitGPub3vVBPdqn$e1d190eb64bc002db22710ee0c8d12ba766e50fb275c4ef489caae10d8a84073',
    'dave': 'pbkdf2:sha256:20000$0qdsVWfRZ3KzQcHY$500d2a8b151e0287f8899bdef80fe453701a54f211c12e96350be0a1d172b0cb',
    'erin': 'pbkdf2:sha256:20000$zNWRZJXbADWVIyS4$e02910c6bf66b2a69410854aa27502a6d584ecd75edbabb0178e2874a2bbf939',
    'frank': 'pbkdf2:sha256:20000$FKjK0A6PplkGJAjV$cb9dfe3bc49139089f27c170e7308cc2df45fb1bac9e6509aed516e9ebfe24c4',
    'grace': 'pbkdf2:sha256:20000$hjSlhqH4K51uyrXd$f2cd9e4bde17b0263f9fe5e7cbcf6784e45a15f96279c9bd06b9bbc0350befdd',
    'heidi': 'pbkdf2:sha256:20000$7YGnkGFpVOSQbBc0$5d822e0a4cd25ad8de5f5a380adcca8599dc026f482ee98dc6ed16c3072551cf',
    'ivan': 'pbkdf2:sha256:20000$ewhhCMBA3vZ5HINz$93f89cfb6b28a8d3a10923d527378e75a75be6ce9e8178209a656f8597b1086f',
    'judy': 'pbkdf2:sha256:20000$MY3bDaHQMSp4rFGu$fff65cbf130cb48cadcfc2129d6aacaf8d209484bbee4a408a1ed7dd5d34b107',
}
