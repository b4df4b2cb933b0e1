// The search page: Pagefind's index, queried in the browser. Nothing is loaded from
// another site: the index and its WebAssembly come from this site's /pagefind/ folder.
// Without JavaScript the page says so and links to the indexes (see search.html).

const root = document.getElementById("search");
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const results = document.getElementById("search-results");
const more = document.getElementById("search-more");
const filterBox = document.getElementById("search-filters");
const FILTERS = [
  ["kind", "Kind"],
  ["actor", "Actor"],
  ["tag", "Tag"],
  ["year", "Year"],
];
const KINDS = { brief: "Brief", actor: "Actor", source: "Source", page: "Page" };
const PAGE = 20;
let shown = [];
let latest = 0;

function say(text) {
  status.textContent = text;
}

// An excerpt is text with <mark> around the words found: keep exactly that, as text.
function excerpt(html) {
  const out = document.createDocumentFragment();
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const node of doc.body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      out.append(mark);
    } else {
      out.append(node.textContent);
    }
  }
  return out;
}

function item(data) {
  const li = document.createElement("li");
  li.className = "search-result";
  const kind = (data.filters.kind || [])[0];
  const line = document.createElement("p");
  line.className = "kicker-text";
  line.textContent = [KINDS[kind] || kind, data.meta.date].filter(Boolean).join(" · ");
  const heading = document.createElement("h2");
  const link = document.createElement("a");
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  heading.append(link);
  const text = document.createElement("p");
  text.className = "search-excerpt";
  text.append(excerpt(data.excerpt || ""));
  li.append(line, heading, text);
  return li;
}

async function showMore() {
  const batch = shown.splice(0, PAGE);
  const ticket = latest;
  const datas = await Promise.all(batch.map((r) => r.data()));
  if (ticket !== latest) return;
  for (const data of datas) results.append(item(data));
  more.hidden = shown.length === 0;
}

function chosen() {
  const filters = {};
  for (const [name] of FILTERS) {
    const value = document.getElementById(`search-filter-${name}`).value;
    if (value) filters[name] = value;
  }
  return filters;
}

function remember(term, filters) {
  const params = new URLSearchParams();
  if (term) params.set("q", term);
  for (const [name, value] of Object.entries(filters)) params.set(name, value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

async function run(pagefind) {
  const term = input.value.trim();
  const filters = chosen();
  remember(term, filters);
  const ticket = ++latest;
  if (!term && Object.keys(filters).length === 0) {
    results.replaceChildren();
    more.hidden = true;
    say("Type a name, a place or a topic.");
    return;
  }
  const found = await pagefind.search(term || null, { filters });
  if (ticket !== latest || found === null) return;
  results.replaceChildren();
  shown = [...found.results];
  const count = shown.length;
  const what = term ? ` for “${term}”` : "";
  say(count === 0 ? `Nothing found${what}.` : `${count} result${count === 1 ? "" : "s"}${what}.`);
  await showMore();
}

function filterControls(available, params) {
  for (const [name, label] of FILTERS) {
    const values = Object.keys(available[name] || {}).sort((a, b) =>
      name === "year" ? b.localeCompare(a) : a.localeCompare(b),
    );
    const field = document.createElement("p");
    const caption = document.createElement("label");
    caption.htmlFor = `search-filter-${name}`;
    caption.textContent = label;
    const select = document.createElement("select");
    select.id = `search-filter-${name}`;
    select.name = name;
    select.append(new Option("Any", ""));
    for (const value of values) {
      const text = name === "kind" ? KINDS[value] || value : value;
      select.append(new Option(`${text} (${available[name][value]})`, value));
    }
    select.value = values.includes(params.get(name)) ? params.get(name) : "";
    field.append(caption, select);
    filterBox.append(field);
  }
}

async function start() {
  const pagefind = await import(`${root.dataset.bundle}pagefind.js`);
  await pagefind.options({ baseUrl: root.dataset.base });
  await pagefind.init();
  const params = new URLSearchParams(location.search);
  filterControls(await pagefind.filters(), params);
  filterBox.hidden = false;
  document.getElementById("search-without-js").hidden = true;
  input.value = params.get("q") || "";
  let timer = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(pagefind), 150);
  });
  filterBox.addEventListener("change", () => run(pagefind));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(pagefind);
  });
  more.addEventListener("click", () => showMore());
  root.dataset.ready = "true";
  await run(pagefind);
}

start().catch((error) => {
  // Most often the index is not there: the preview makes it just after it starts.
  say(
    `Search could not start (${error.message}). If the site is being previewed, its ` +
      "search index may still be in the making: reload this page in a moment.",
  );
});
