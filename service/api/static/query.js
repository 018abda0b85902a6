// The query page: pick an example, edit, run; SELECT/ASK answers become a table, graphs Turtle.
// It talks to the endpoint with the SPARQL Protocol, exactly as any other client does.
(function () {
  "use strict";
  const endpoint = new URL("sparql", document.baseURI.replace(/sparql\/?(\?.*)?$/, "")).href;
  const editor = document.getElementById("query");
  const runButton = document.getElementById("run");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const examples = document.getElementById("examples");
  const summary = document.getElementById("summary");
  let exampleList = [];

  fetch(endpoint + "/examples").then((r) => r.json()).then((list) => {
    exampleList = list;
    for (const example of list) {
      const option = document.createElement("option");
      option.value = example.name;
      option.textContent = example.summary.split(":")[0];
      examples.appendChild(option);
    }
  });

  examples.addEventListener("change", () => {
    const example = exampleList.find((e) => e.name === examples.value);
    if (example) {
      editor.value = example.query;
      summary.textContent = example.summary;
    }
  });

  function isGraphQuery(text) {
    // The first query keyword outside comments decides; good enough to choose an Accept header.
    const words = text.replace(/#.*$/gm, "").replace(/<[^>]*>/g, " ").match(/\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b/i);
    return words !== null && /^(CONSTRUCT|DESCRIBE)$/i.test(words[1]);
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") td.className = "uri";
    let text = term.type === "bnode" ? "_:" + term.value : term.value;
    if (term["xml:lang"]) text += " @" + term["xml:lang"];
    td.textContent = text;
    if (term.datatype) td.title = term.datatype;
    return td;
  }

  function showTable(data) {
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    for (const name of data.head.vars) {
      const th = document.createElement("th");
      th.textContent = "?" + name;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const binding of data.results.bindings) {
      const row = body.insertRow();
      for (const name of data.head.vars) row.appendChild(cell(binding[name]));
    }
    results.replaceChildren(table);
    return data.results.bindings.length + " rows";
  }

  async function run() {
    const text = editor.value;
    const graph = isGraphQuery(text);
    runButton.disabled = true;
    status.className = "";
    status.textContent = "Running…";
    const started = performance.now();
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/sparql-query",
          "Accept": graph ? "text/turtle" : "application/sparql-results+json",
        },
        body: text,
      });
      const elapsed = Math.round(performance.now() - started) + " ms";
      if (!response.ok) {
        let detail = await response.text();
        try { detail = JSON.parse(detail).detail; } catch (e) { /* plain text */ }
        results.replaceChildren();
        status.className = "error";
        status.textContent = response.status + ": " + detail;
        return;
      }
      let said;
      if (graph) {
        const pre = document.createElement("pre");
        pre.textContent = await response.text();
        results.replaceChildren(pre);
        said = "graph";
      } else {
        const data = await response.json();
        if ("boolean" in data) {
          const p = document.createElement("p");
          p.textContent = "ASK: " + data.boolean;
          results.replaceChildren(p);
          said = String(data.boolean);
        } else {
          said = showTable(data);
        }
      }
      status.textContent = said + " in " + elapsed;
    } catch (error) {
      status.className = "error";
      status.textContent = "The request failed: " + error;
    } finally {
      runButton.disabled = false;
    }
  }

  runButton.addEventListener("click", run);
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    } else if (event.key === "Tab") {
      event.preventDefault();
      editor.setRangeText("  ", editor.selectionStart, editor.selectionEnd, "end");
    }
  });
})();
