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

const V1_SUNSET = new Date(Date.UTC(2027, 5, 30, 23, 59, 59)).toUTCString();

// One route for every version: the version picks the shape.
const shapes = {
  v1: (user) => ({ id: user.id, name: `${user.firstName} ${user.lastName}` }),
  v2: (user) => ({
    id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
  }),
};

app.get('/:version/users/:id', (req, res) => {
  const { version, id } = req.params;
  if (version === 'v1') {
    res.set({
      Deprecation: 'true',
      Sunset: V1_SUNSET,
      Link: `</v2/users/${id}>; rel="successor-version"`,
    });
  }
  const user = findUser(id);
  if (!user) {
    return res.status(404).json({ error: `no user with id ${id}` });
  }
  res.json(shapes[version](user));
});

app.use((req, res) => {
  res.status(404).json({ error: `no such resource: ${req.method} ${req.path}` });
});

const port = Number(process.env.PORT || 8080);
app.listen(port, '0.0.0.0', () => {
  console.log(`listening on 0.0.0.0:${port}`);
});
