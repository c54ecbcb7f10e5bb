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

// The day v1 stops answering, as an HTTP date: Wed, 30 Jun 2027 23:59:59 GMT.
const V1_SUNSET = new Date(Date.UTC(2027, 5, 30, 23, 59, 59)).toUTCString();

// v1: the old shape, kept exactly as its clients know it, and deprecated.
const v1 = express.Router();
v1.get('/users/:id', (req, res) => {
  const user = findUser(req.params.id);
  if (!user) {
    return res.status(404).json({ error: `no user with id ${req.params.id}` });
  }
  res.json({ id: user.id, name: `${user.firstName} ${user.lastName}` });
});

// v2: the new shape.
const v2 = express.Router();
v2.get('/users/:id', (req, res) => {
  const user = findUser(req.params.id);
  if (!user) {
    return res.status(404).json({ error: `no user with id ${req.params.id}` });
  }
  res.json({
    id: user.id,
    first_name: user.firstName,
    last_name: user.lastName,
    email: user.email,
  });
});

app.use((req, res, next) => {
  res.set({
    Deprecation: 'true',
    Sunset: V1_SUNSET,
    Link: `</v2${req.path.replace(/^\/v1/, '')}>; rel="successor-version"`,
  });
  next();
});
app.use('/v1', v1);
app.use('/v2', v2);

// Anything else (an unknown version, an unknown path) is a JSON 404.
app.use((req, res) => {
  res.status(404).json({ error: `no such resource: ${req.method} ${req.path}` });
});

const port = Number(process.env.PORT || 8080);
app.listen(port, '0.0.0.0', () => {
  console.log(`listening on 0.0.0.0:${port}`);
});
