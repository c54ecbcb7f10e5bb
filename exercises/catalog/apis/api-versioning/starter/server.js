const express = require('express');

const app = express();

// Each user as the server stores it.
const users = [
  { id: 1, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
  { id: 2, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' },
  { id: 3, firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com' },
  { id: 4, firstName: 'Katherine', lastName: 'Johnson', email: 'katherine@example.com' },
  { id: 5, firstName: 'Mary Jane', lastName: 'Watson', email: 'mj@example.com' },
];

function findUser(id) {
  return users.find((u) => String(u.id) === id);
}

// The API as its first clients know it: no version in the path, and a user
// is {"id", "name"}. TODO: serve this shape at /v1/users/:id (deprecated),
// the new one at /v2/users/:id, and a JSON 404 for anything else.
app.get('/users/:id', (req, res) => {
  const user = findUser(req.params.id);
  if (!user) {
    return res.status(404).json({ error: `no user with id ${req.params.id}` });
  }
  res.json({ id: user.id, name: `${user.firstName} ${user.lastName}` });
});

const port = Number(process.env.PORT || 8080);
app.listen(port, '0.0.0.0', () => {
  console.log(`listening on 0.0.0.0:${port}`);
});
