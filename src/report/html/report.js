// nhiscan HTML report renderer. Reads the report from the JSON data block and builds the page
// with DOM calls only (textContent, never innerHTML), so nothing in the data can become markup.
// On any error the page says so (body[data-error]); when done, body[data-rendered="true"].
(function () {
  "use strict";
  var started = (window.performance && performance.now) ? performance.now() : 0;
  window.addEventListener("error", function (e) {
    document.body.setAttribute("data-error", String(e.message || e));
    var box = document.getElementById("script-error");
    if (box) { box.textContent = "The report could not be rendered: " + (e.message || e); }
  });

  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var RANK = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };
  var DAY = 86400000;

  var data = JSON.parse(document.getElementById("nhiscan-data").textContent);
  var now = Date.parse(data.finished_at);
  var rules = data.rules || {};

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      for (var k in attrs) {
        if (!Object.prototype.hasOwnProperty.call(attrs, k)) { continue; }
        if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
      }
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) { return; }
      e.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return e;
  }
  function svg(tag, attrs, text) {
    var e = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); } }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function sevBadge(s) { return el("span", { "class": "sev sev-" + (s || "none"), text: s || "none" }); }
  function day(t) { return t ? String(t).slice(0, 10) : ""; }
  function ageDays(t) { return t ? Math.floor((now - Date.parse(t)) / DAY) : null; }
  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  // Findings per identity, worst severity per identity.
  var byIdentity = {};
  data.findings.forEach(function (f) { (byIdentity[f.identity_id] = byIdentity[f.identity_id] || []).push(f); });
  function worst(id) {
    var w = null;
    (byIdentity[id] || []).forEach(function (f) { if (!w || RANK[f.severity] > RANK[w]) { w = f.severity; } });
    return w;
  }

  // ---- summary cards
  var s = data.summary;
  var unowned = data.identities.filter(function (i) { return !i.owner; }).length;
  var cards = document.getElementById("cards");
  [["count-identities", s.identities, "identities"], ["count-credentials", s.credentials, "credentials"],
   ["count-findings", s.findings, "findings"], ["count-new", s.new_findings, "new findings"],
   ["count-unowned", unowned, "unowned identities"], ["count-sources", data.sources.length, "sources scanned"]]
    .forEach(function (c) {
      cards.appendChild(el("div", { "class": "card" }, [
        el("span", { "class": "n", id: c[0], text: String(c[1]) }), el("span", { "class": "l", text: c[2] })]));
    });

  // ---- count tables
  function countTable(id, head, rows) {
    var tbody = el("tbody");
    rows.forEach(function (r) {
      tbody.appendChild(el("tr", null, r.map(function (c, i) {
        var td = el("td", i === r.length - 1 ? { "class": "num" } : null);
        td.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
        return td;
      })));
    });
    return el("table", { id: id }, [el("thead", null, [el("tr", null, head.map(function (h, i) {
      return el("th", i === head.length - 1 ? { "class": "num", text: h } : { text: h });
    }))]), tbody]);
  }
  var bySev = SEVERITIES.map(function (sv) { return [sevBadge(sv), s.findings_by_severity[sv] || 0]; });
  var srcCount = {};
  data.identities.forEach(function (i) { srcCount[i.source] = srcCount[i.source] || [0, 0]; srcCount[i.source][0]++; });
  var idSource = {};
  data.identities.forEach(function (i) { idSource[i.id] = i.source; });
  data.findings.forEach(function (f) {
    var src = idSource[f.identity_id] || "unknown";
    srcCount[src] = srcCount[src] || [0, 0]; srcCount[src][1]++;
  });
  var ruleCount = {};
  data.findings.forEach(function (f) { ruleCount[f.rule_id] = (ruleCount[f.rule_id] || 0) + 1; });
  var ruleRows = Object.keys(ruleCount).sort(function (a, b) {
    var sa = (rules[a] || {}).severity, sb = (rules[b] || {}).severity;
    return (RANK[sb] || 0) - (RANK[sa] || 0) || ruleCount[b] - ruleCount[a] || (a < b ? -1 : 1);
  });
  var counts = document.getElementById("counts");
  counts.appendChild(el("div", { "class": "panel" }, [el("h3", { text: "Findings by severity" }),
    countTable("by-severity", ["Severity", "Findings"], bySev)]));
  counts.appendChild(el("div", { "class": "panel" }, [el("h3", { text: "By source" }),
    el("table", { id: "by-source" }, [el("thead", null, [el("tr", null, [el("th", { text: "Source" }),
      el("th", { "class": "num", text: "Identities" }), el("th", { "class": "num", text: "Findings" })])]),
    el("tbody", null, Object.keys(srcCount).sort().map(function (k) {
      return el("tr", null, [el("td", { text: k }), el("td", { "class": "num", text: String(srcCount[k][0]) }),
        el("td", { "class": "num", text: String(srcCount[k][1]) })]);
    }))])]));
  counts.appendChild(el("div", { "class": "panel" }, [el("h3", { text: "By rule" }),
    countTable("by-rule", ["Rule", "Severity", "Findings"], ruleRows.map(function (r) {
      return [el("code", { text: r, title: (rules[r] || {}).title || "" }), sevBadge((rules[r] || {}).severity), ruleCount[r]];
    }))]));

  // ---- charts (inline SVG)
  function barChart(id, title, bars) {
    var W = 360, H = 190, top = 22, bottom = 34, left = 8;
    var max = Math.max.apply(null, bars.map(function (b) { return b.n; }).concat([1]));
    var bw = (W - left * 2) / bars.length;
    var total = bars.reduce(function (a, b) { return a + b.n; }, 0);
    var root = svg("svg", { id: id, "class": "chart", viewBox: "0 0 " + W + " " + H, width: W, height: H,
      role: "img", "aria-label": title, "data-total": String(total) });
    root.appendChild(svg("title", {}, title));
    root.appendChild(svg("line", { "class": "axis", x1: left, x2: W - left, y1: H - bottom, y2: H - bottom }));
    bars.forEach(function (b, i) {
      var h = Math.round((H - top - bottom) * b.n / max);
      var x = left + i * bw + 4, y = H - bottom - h;
      var rect = svg("rect", { "class": b.cls, x: x, y: y, width: Math.max(bw - 8, 2), height: h, "data-count": String(b.n) });
      rect.appendChild(svg("title", {}, b.label + ": " + b.n));
      root.appendChild(rect);
      root.appendChild(svg("text", { x: x + (bw - 8) / 2, y: y - 4, "text-anchor": "middle" }, String(b.n)));
      root.appendChild(svg("text", { x: x + (bw - 8) / 2, y: H - bottom + 14, "text-anchor": "middle" }, b.label));
    });
    return el("div", { "class": "panel" }, [el("h3", { text: title }), root]);
  }
  function histogram(days, edges, labels, unknownLabel) {
    var n = labels.map(function () { return 0; }), unknown = 0;
    days.forEach(function (d) {
      if (d === null || isNaN(d)) { unknown++; return; }
      for (var i = 0; i < edges.length; i++) { if (d < edges[i]) { n[i]++; return; } }
      n[n.length - 1]++;
    });
    var bars = labels.map(function (l, i) { return { label: l, n: n[i], cls: "bar" }; });
    bars.push({ label: unknownLabel, n: unknown, cls: "bar-unknown" });
    return bars;
  }
  var charts = document.getElementById("charts");
  charts.appendChild(barChart("chart-severity", "Findings by severity", SEVERITIES.map(function (sv) {
    return { label: sv, n: s.findings_by_severity[sv] || 0, cls: "bar-" + sv };
  })));
  charts.appendChild(barChart("chart-age", "Identity age (since created)", histogram(
    data.identities.map(function (i) { return ageDays(i.created_at); }),
    [30, 90, 180, 365, 730], ["<30d", "30-90d", "90-180d", "180d-1y", "1-2y", ">2y"], "unknown")));
  charts.appendChild(barChart("chart-last-used", "Last used (unknown: never, or not reported)", histogram(
    data.identities.map(function (i) { return ageDays(i.last_used_at); }),
    [7, 30, 90, 180, 365], ["<7d", "7-30d", "30-90d", "90-180d", "180d-1y", ">1y"], "unknown")));

  // ---- identity table
  var tbody = document.querySelector("#identities tbody");
  var rows = data.identities.map(function (i, idx) {
    var fs = byIdentity[i.id] || [];
    var w = worst(i.id);
    var owner = i.owner ? el("span", { text: i.owner.name, title: "from " + i.owner.source + (i.owner.detail ? " " + i.owner.detail : "") })
      : el("span", { "class": "unowned", text: "unowned" });
    var tr = el("tr", { "class": "identity-row", tabindex: "0", "data-index": String(idx) }, [
      el("td", null, [el("div", { text: i.name }), el("div", { "class": "id", text: i.id })]),
      el("td", { text: i.kind }), el("td", { text: i.source }), el("td", null, [owner]),
      el("td", { text: day(i.created_at) }), el("td", { text: day(i.last_used_at) || "never/unknown" }),
      el("td", { "class": "num", text: String(fs.length) }), el("td", null, [sevBadge(w)])]);
    var haystack = [i.id, i.name, i.kind, i.source, i.owner ? i.owner.name : "unowned"]
      .concat(fs.map(function (f) { return f.rule_id + " " + f.message; })).join("\n").toLowerCase();
    return { tr: tr, identity: i, findings: fs, worst: w, hay: haystack, detail: null,
      keys: [i.name.toLowerCase(), i.kind, i.source, i.owner ? i.owner.name.toLowerCase() : "\uffff",
        i.created_at || "", i.last_used_at || "", fs.length, RANK[w] || 0] };
  });
  var frag = document.createDocumentFragment();
  rows.forEach(function (r) { frag.appendChild(r.tr); });
  tbody.appendChild(frag);

  function kv(pairs) {
    var dl = el("dl", { "class": "kv" });
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === "") { return; }
      dl.appendChild(el("dt", { text: p[0] }));
      dl.appendChild(el("dd", null, [typeof p[1] === "object" && p[1].nodeType ? p[1] : String(p[1])]));
    });
    return dl;
  }
  function value(v) { return typeof v === "string" ? v : JSON.stringify(v); }
  function findingBlock(f) {
    var doc = rules[f.rule_id] || {};
    var ev = Object.keys(f.evidence || {}).map(function (k) { return [k, el("span", { "class": "mono", text: value(f.evidence[k]) })]; });
    var locs = (f.locations || []).map(function (l) {
      var where = l.path + ":" + l.line + (l.commit ? " @ " + String(l.commit).slice(0, 12) : "") + (l.author ? " by " + l.author : "");
      return el("li", null, [el("code", { text: where }), l.snippet ? el("div", { "class": "mono muted", text: l.snippet }) : null]);
    });
    return el("div", { "class": "finding " + f.severity, "data-fingerprint": f.fingerprint }, [
      el("h4", null, [sevBadge(f.severity), " ", doc.title || f.title || f.rule_id, " ", el("code", { "class": "muted", text: f.rule_id })]),
      el("div", { text: f.message }),
      ev.length ? el("div", null, [el("strong", { text: "Evidence" }), kv(ev)]) : null,
      locs.length ? el("div", null, [el("strong", { text: "Where" }), el("ul", null, locs)]) : null,
      doc.description ? el("p", { "class": "muted", text: doc.description }) : null,
      el("div", null, [el("strong", { text: "Remediation: " }), f.remediation || doc.remediation || ""]),
      (doc.references || []).length ? el("div", { "class": "muted" }, ["References: " + doc.references.join("; ")]) : null,
      f.baseline_state ? el("div", { "class": "muted", text: "Baseline: " + f.baseline_state }) : null,
      el("div", { "class": "id", text: "fingerprint " + f.fingerprint })]);
  }
  function detail(r) {
    var i = r.identity;
    var creds = (i.credentials || []).map(function (c) {
      return el("li", null, [el("code", { text: c.id }), " " + c.kind + ", " + c.status +
        (c.created_at ? ", created " + day(c.created_at) : "") + (c.last_used_at ? ", last used " + day(c.last_used_at) : "") +
        (c.last_rotated_at ? ", rotated " + day(c.last_rotated_at) : "") + (c.expires_at ? ", expires " + day(c.expires_at) : "") +
        (c.redacted ? ", " + c.redacted : "")]);
    });
    var labels = Object.keys(i.labels || {}).map(function (k) { return k + "=" + i.labels[k]; }).join(", ");
    var td = el("td", { colspan: "8" }, [
      kv([["Owner", i.owner ? i.owner.name + " (from " + i.owner.source + (i.owner.detail ? ": " + i.owner.detail : "") + ")" : "none found"],
        ["Labels", labels], ["Permission flags", (i.flags || []).join(", ")]]),
      creds.length ? el("div", null, [el("strong", { text: plural(creds.length, "credential", "credentials") }), el("ul", null, creds)]) : null,
      r.findings.length ? null : el("p", { "class": "muted", text: "No findings." })
    ].concat(r.findings.map(findingBlock)));
    return el("tr", { "class": "detail-row" }, [td]);
  }
  function toggle(r) {
    if (r.detail) { r.detail.parentNode.removeChild(r.detail); r.detail = null; r.tr.classList.remove("open"); return; }
    r.detail = detail(r);
    r.tr.parentNode.insertBefore(r.detail, r.tr.nextSibling);
    r.tr.classList.add("open");
  }
  tbody.addEventListener("click", function (e) {
    var tr = e.target.closest ? e.target.closest("tr.identity-row") : null;
    if (tr) { toggle(rows[Number(tr.getAttribute("data-index"))]); }
  });
  tbody.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" && e.key !== " ") { return; }
    var tr = e.target.closest ? e.target.closest("tr.identity-row") : null;
    if (tr) { e.preventDefault(); toggle(rows[Number(tr.getAttribute("data-index"))]); }
  });

  // Filters: free text, minimum severity, source, only identities with findings.
  var q = document.getElementById("filter-text"), sevSel = document.getElementById("filter-severity");
  var srcSel = document.getElementById("filter-source"), onlyF = document.getElementById("filter-findings");
  var shown = document.getElementById("shown-count");
  SEVERITIES.forEach(function (sv) { sevSel.appendChild(el("option", { value: sv, text: sv + " and above" })); });
  Object.keys(srcCount).sort().forEach(function (k) { srcSel.appendChild(el("option", { value: k, text: k })); });
  function apply() {
    var text = q.value.trim().toLowerCase(), min = RANK[sevSel.value] || 0, src = srcSel.value, n = 0;
    rows.forEach(function (r) {
      var ok = (!text || r.hay.indexOf(text) >= 0) && (!min || (RANK[r.worst] || 0) >= min) &&
        (!src || r.identity.source === src) && (!onlyF.checked || r.findings.length > 0);
      r.tr.hidden = !ok;
      if (r.detail) { r.detail.hidden = !ok; }
      if (ok) { n++; }
    });
    shown.textContent = "showing " + n + " of " + rows.length;
    shown.setAttribute("data-shown", String(n));
  }
  [q, sevSel, srcSel, onlyF].forEach(function (c) { c.addEventListener("input", apply); c.addEventListener("change", apply); });
  // Expand or collapse every shown row (for printing to PDF); `#expand` in the URL does it on load.
  var expandBtn = document.getElementById("expand-all");
  function expandAll(open) {
    rows.forEach(function (r) { if (!r.tr.hidden && !!r.detail !== open) { toggle(r); } });
    expandBtn.textContent = open ? "Collapse all" : "Expand all";
    expandBtn.setAttribute("data-open", open ? "true" : "false");
  }
  expandBtn.addEventListener("click", function () { expandAll(expandBtn.getAttribute("data-open") !== "true"); });

  // Sorting: click a header; again to reverse.
  var heads = document.querySelectorAll("#identities th.sortable");
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "descending" ? 1 : (th.getAttribute("aria-sort") === "ascending" ? -1 : (col >= 6 ? -1 : 1));
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      rows.sort(function (a, b) {
        var x = a.keys[col], y = b.keys[col];
        return (x < y ? -1 : x > y ? 1 : 0) * dir;
      });
      var f = document.createDocumentFragment();
      rows.forEach(function (r, idx) {
        r.tr.setAttribute("data-index", String(idx));
        f.appendChild(r.tr);
        if (r.detail) { f.appendChild(r.detail); }
      });
      tbody.appendChild(f);
    });
  });
  apply();

  // The URL fragment can set the view, so a link (or a test) opens the page as someone left it:
  // #filter=TEXT&severity=high&source=aws&sort=COLUMN[:asc|desc]&expand (all optional).
  window.location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    if (!part) { return; }
    var eq = part.indexOf("="), key = eq < 0 ? part : part.slice(0, eq);
    var val = eq < 0 ? "" : decodeURIComponent(part.slice(eq + 1));
    if (key === "filter") { q.value = val; }
    if (key === "severity") { sevSel.value = val; }
    if (key === "source") { srcSel.value = val; }
    if (key === "sort") {
      var spec = val.split(":"), th = heads[Number(spec[0])];
      if (th) {
        th.click();
        var want = spec[1] === "asc" ? "ascending" : spec[1] === "desc" ? "descending" : null;
        if (want && th.getAttribute("aria-sort") !== want) { th.click(); }
      }
    }
  });
  apply();
  if (/(^#|&)expand(&|$)/.test(window.location.hash)) { expandAll(true); }

  // ---- rules that fired, with their documentation
  var rulesBox = document.getElementById("rules");
  if (!ruleRows.length) { rulesBox.appendChild(el("p", { "class": "muted", text: "No rule fired." })); }
  ruleRows.forEach(function (id) {
    var d = rules[id] || {};
    rulesBox.appendChild(el("div", { "class": "finding " + (d.severity || "info") }, [
      el("h4", null, [sevBadge(d.severity), " ", d.title || id, " ", el("code", { "class": "muted", text: id }),
        " ", el("span", { "class": "muted", text: plural(ruleCount[id], "finding", "findings") })]),
      d.description ? el("p", { text: d.description }) : null,
      d.remediation ? el("div", null, [el("strong", { text: "Remediation: " }), d.remediation]) : null,
      (d.references || []).length ? el("div", { "class": "muted", text: "References: " + d.references.join("; ") }) : null]));
  });

  // ---- coverage
  var cov = document.querySelector("#coverage tbody");
  data.sources.forEach(function (src) {
    var notes = (src.notes || []).slice(0, 50).map(function (n) { return el("li", null, [n.level + ": ", el("code", { text: n.subject }), " " + n.message]); });
    if ((src.notes || []).length > 50) { notes.push(el("li", { "class": "muted", text: (src.notes.length - 50) + " more in the JSON report" })); }
    cov.appendChild(el("tr", null, [el("td", { text: src.source }), el("td", { "class": "mono", text: src.target }),
      el("td", { "class": "status-" + src.status, text: src.status }), el("td", null, [notes.length ? el("ul", null, notes) : ""])]));
  });
  var runNotes = document.getElementById("run-notes");
  (data.notes || []).slice(0, 200).forEach(function (n) {
    runNotes.appendChild(el("li", null, [n.level + ": ", el("code", { text: n.subject }), " " + n.message]));
  });

  var ms = ((window.performance && performance.now) ? performance.now() : 0) - started;
  document.body.setAttribute("data-render-ms", String(Math.round(ms)));
  // Since navigation started: reading and parsing the file, then this script.
  document.body.setAttribute("data-load-ms", String(Math.round(window.performance ? performance.now() : 0)));
  document.body.setAttribute("data-rendered", "true");
})();
