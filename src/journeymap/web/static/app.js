// journeymap web app: the little script the pages need besides htmx (no inline scripts:
// the Content-Security-Policy allows scripts from this site only).
"use strict";

// The column-mapping step of an upload: read the header of a chosen CSV (or the keys
// of the first JSONL record) in the browser and offer those names in the mapping
// fields. Parquet and XLSX are read on the server; a missing column is then reported
// with the columns the file has.
function headerOf(text, name) {
  const first = text.split(/\r?\n/, 1)[0] || "";
  if (name.endsWith(".jsonl")) {
    try { return Object.keys(JSON.parse(first)); } catch (e) { return []; }
  }
  const delimiter = [",", ";", "\t", "|"].sort(
    (a, b) => first.split(b).length - first.split(a).length)[0];
  const names = [];
  let current = "", quoted = false;
  for (const ch of first) {
    if (ch === '"') { quoted = !quoted; continue; }
    if (ch === delimiter && !quoted) { names.push(current.trim()); current = ""; continue; }
    current += ch;
  }
  names.push(current.trim());
  return names.filter((n) => n !== "");
}

function offerColumns(input) {
  const file = input.files && input.files[0];
  const list = document.getElementById("columns");
  const shown = document.getElementById("file-columns");
  if (!file || !list || !shown) return;
  list.replaceChildren();
  shown.textContent = "";
  const name = file.name.toLowerCase();
  if (!name.endsWith(".csv") && !name.endsWith(".jsonl")) return;
  file.slice(0, 65536).text().then((text) => {
    const columns = headerOf(text, name);
    for (const column of columns) {
      const option = document.createElement("option");
      option.value = column;
      list.appendChild(option);
    }
    shown.textContent = columns.length ? "Columns in the file: " + columns.join(", ") : "";
  });
}

document.addEventListener("change", (event) => {
  if (event.target.matches && event.target.matches("input[type=file][data-columns]")) {
    offerColumns(event.target);
  }
});

// Click a pain point or opportunity in the drawing: its evidence and comments open in
// the side panel (the render layer gives those cards ids "jm-pain-ID" and
// "jm-opportunity-ID").
document.addEventListener("click", (event) => {
  const drawing = event.target.closest && event.target.closest("[data-map]");
  if (!drawing || typeof htmx === "undefined") return;
  const card = event.target.closest('[id^="jm-pain-"], [id^="jm-opportunity-"]');
  if (!card) return;
  const id = card.id.replace(/^jm-(pain|opportunity)-/, "");
  const url = "/maps/" + encodeURIComponent(drawing.dataset.map) + "/cards/" + encodeURIComponent(id);
  htmx.ajax("GET", url, { target: "#card" });
  document.getElementById("card").scrollIntoView({ behavior: "smooth", block: "nearest" });
});
