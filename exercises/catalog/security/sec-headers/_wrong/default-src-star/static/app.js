// The notice board page's code, served as /static/app.js: a Content-Security-Policy
// without 'unsafe-inline' runs scripts from files of the site, never inline ones.
const list = document.getElementById("notices");

async function load() {
  const res = await fetch("/api/notices");
  const notices = await res.json();
  list.replaceChildren(...notices.map((n) => {
    const li = document.createElement("li");
    const who = document.createElement("strong");
    who.textContent = n.author;
    li.append(who, " " + n.text);
    return li;
  }));
}

document.getElementById("post").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  await fetch("/api/notices", {
    method: "POST",
    headers: {"Content-Type": "application/json"},
    body: JSON.stringify({author: form.author.value, text: form.text.value}),
  });
  form.reset();
  load();
});

load();
