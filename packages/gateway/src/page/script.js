// The catalog page's inline script (sorting, filtering, the key form), in readable form: scripts/generate.ts
// minifies it into assets.generated.ts, whose text the route serves and hashes for its CSP.
(() => {
  // biome-ignore lint/suspicious/noRedundantUseStrict: the page runs this as a classic script, not a module.
  "use strict";
  const $ = (id) => document.getElementById(id);
  const STORAGE = "baseten-edge:key";
  const within = (value, max) => max === "" || (value !== "" && Number(value) <= Number(max));

  function enhance() {
    const table = $("models"),
      filters = $("filters");
    if (!table || !filters) return;
    filters.hidden = false;
    const body = table.tBodies[0];
    const heads = [...table.tHead.rows[0].cells];
    for (const [index, th] of heads.entries())
      th.querySelector("button").addEventListener("click", () => sortBy(index));
    function sortBy(index) {
      const th = heads[index];
      const direction = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      for (const h of heads) h.setAttribute("aria-sort", "none");
      th.setAttribute("aria-sort", direction);
      const numeric = th.dataset.kind === "number",
        sign = direction === "ascending" ? 1 : -1;
      const value = (tr) => tr.cells[index].dataset.v;
      const rows = [...body.rows].sort((a, b) => {
        const x = value(a),
          y = value(b);
        // Unknown values (no price, no limit) go last in either direction.
        if (x === "" || y === "") return x === y ? 0 : x === "" ? 1 : -1;
        return sign * (numeric ? Number(x) - Number(y) : x.localeCompare(y));
      });
      body.append(...rows);
    }
    function apply() {
      const query = $("q").value.trim().toLowerCase();
      const wanted = [...filters.querySelectorAll("input[name=feature]:checked")].map((box) => box.value);
      const minContext = Number($("min-context").value || 0),
        maxIn = $("max-input").value,
        maxOut = $("max-output").value;
      const visible = new Set();
      for (const tr of body.rows) {
        const features = tr.dataset.features.split(" ");
        const ok =
          (!query || tr.dataset.search.includes(query)) &&
          wanted.every((f) => features.includes(f)) &&
          Number(tr.cells[2].dataset.v) >= minContext &&
          within(tr.cells[3].dataset.v, maxIn) &&
          within(tr.cells[4].dataset.v, maxOut);
        tr.hidden = !ok;
        if (ok) visible.add(tr.dataset.row);
      }
      for (const el of document.querySelectorAll(".chart [data-row]"))
        el.classList.toggle("off", !visible.has(el.dataset.row));
      $("count").textContent = `${visible.size} of ${body.rows.length} models`;
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
        headers: { Authorization: `Bearer ${key}`, Accept: "text/html" },
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
      section.textContent = `The gateway answered ${response.status} without a catalog page.`;
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
})();
