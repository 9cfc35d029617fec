// The page's inline style and script. Both are plain constants: the route hashes them once for its
// Content-Security-Policy, so nothing else inline can run or apply, whatever a catalog string holds.

export const STYLE = `:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#57606a;--line:#d0d7de;--accent:#0b62d6;--row:#f6f8fa}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9ea7b3;--line:#30363d;--accent:#58a6ff;--row:#161b22}}
[hidden]{display:none!important}
body{font:15px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0 auto;max-width:1280px;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0}header p,.hint,caption,.description{color:var(--muted)}
code{font-size:.85em}.notice{border-left:4px solid var(--accent);padding:.4rem .8rem;background:var(--row)}
form{display:flex;flex-wrap:wrap;gap:.6rem 1rem;align-items:end;margin:.8rem 0}fieldset{border:1px solid var(--line);display:flex;gap:.6rem;flex-wrap:wrap}
input,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:.2rem .4rem}
button{cursor:pointer}input[type=number]{width:8rem}.key .hint{flex-basis:100%;margin:0;font-size:.85rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%}caption{text-align:left;padding:.3rem 0}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
tbody tr:nth-child(even){background:var(--row)}thead th button{border:0;padding:0;font-weight:600;background:none;white-space:nowrap}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
tbody th{font-weight:400;max-width:26rem}.name{font-weight:600;display:block}.description{display:block;font-size:.85rem}
.tag{display:inline-block;border:1px solid var(--line);border-radius:9px;padding:0 .4rem;margin:0 .2rem .2rem 0;font-size:.8rem}
.unknown{color:var(--muted);font-style:italic}.off{display:none}
.chart svg{width:100%;max-width:760px;height:auto}.chart text{fill:var(--fg);font-size:11px}.axis line{stroke:var(--muted)}
.axis .grid{stroke:var(--line)}.point circle{fill:var(--accent);fill-opacity:.8}:focus-visible{outline:2px solid var(--accent)}`;

export const SCRIPT = `(() => {
"use strict";
const $ = (id) => document.getElementById(id);
const STORAGE = "baseten-edge:key";
const within = (value, max) => max === "" || (value !== "" && Number(value) <= Number(max));

function enhance() {
  const table = $("models"), filters = $("filters");
  if (!table || !filters) return;
  filters.hidden = false;
  const body = table.tBodies[0];
  const heads = [...table.tHead.rows[0].cells];
  heads.forEach((th, index) => th.querySelector("button").addEventListener("click", () => sortBy(index)));
  function sortBy(index) {
    const th = heads[index];
    const direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    for (const h of heads) h.setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", direction);
    const numeric = th.dataset.kind === "number", sign = direction === "ascending" ? 1 : -1;
    const value = (tr) => tr.cells[index].dataset.v;
    const rows = [...body.rows].sort((a, b) => {
      const x = value(a), y = value(b);
      // Unknown values (no price, no limit) go last in either direction.
      if (x === "" || y === "") return x === y ? 0 : x === "" ? 1 : -1;
      return sign * (numeric ? Number(x) - Number(y) : x.localeCompare(y));
    });
    body.append(...rows);
  }
  function apply() {
    const query = $("q").value.trim().toLowerCase();
    const wanted = [...filters.querySelectorAll("input[name=feature]:checked")].map((box) => box.value);
    const minContext = Number($("min-context").value || 0), maxIn = $("max-input").value, maxOut = $("max-output").value;
    const visible = new Set();
    for (const tr of body.rows) {
      const features = tr.dataset.features.split(" ");
      const ok = (!query || tr.dataset.search.includes(query)) && wanted.every((f) => features.includes(f)) &&
        Number(tr.cells[2].dataset.v) >= minContext && within(tr.cells[3].dataset.v, maxIn) && within(tr.cells[4].dataset.v, maxOut);
      tr.hidden = !ok;
      if (ok) visible.add(tr.dataset.row);
    }
    for (const el of document.querySelectorAll(".chart [data-row]")) el.classList.toggle("off", !visible.has(el.dataset.row));
    $("count").textContent = visible.size + " of " + body.rows.length + " models";
  }
  filters.addEventListener("input", apply);
  filters.addEventListener("submit", (event) => event.preventDefault());
}

/** Loads the page again with the key in the Authorization header and swaps in its catalog. */
async function load(key) {
  const section = $("catalog");
  section.textContent = "Loading…";
  let response;
  try {
    response = await fetch(location.pathname, {
      headers: { Authorization: "Bearer " + key, Accept: "text/html" },
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    section.textContent = "The gateway did not answer, or the key holds characters a header cannot carry.";
    return;
  }
  if (response.status === 401 || response.status === 403) sessionStorage.removeItem(STORAGE);
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  const fresh = page.getElementById("catalog");
  if (!fresh) {
    section.textContent = "The gateway answered " + response.status + " without a catalog page.";
    return;
  }
  section.replaceChildren(...[...fresh.childNodes].map((node) => document.importNode(node, true)));
  enhance();
}

const form = $("key-form");
form.hidden = false;
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = $("key").value.trim();
  if (!key) return;
  sessionStorage.setItem(STORAGE, key);
  $("key").value = "";
  load(key);
});
$("forget").addEventListener("click", () => {
  sessionStorage.removeItem(STORAGE);
  location.reload();
});
enhance();
const saved = sessionStorage.getItem(STORAGE);
if (saved) load(saved);
})();`;
