/* esmlint graph viewer: lays out and draws the invocation graph embedded in the page.
 *
 * Written for esmlint and shipped inside its wheel; no library and no network. The page
 * holds the graph as JSON (esmlint graph --format json) in <script id="esmlint-graph">.
 * Layout: each group (file or stack) is laid out on its own in layers (invokers left,
 * functions in the middle, destinations right: the longest path from a node without
 * incoming edges), rows ordered by the barycentre of their neighbours; groups are stacked.
 * Drag to pan, wheel or the buttons to zoom, click a node or an edge to list its findings.
 * "#select=<node id>" in the address selects a node when the page opens.
 */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";
  var COLOURS = {
    error: ["#cf222e", "#ffebe9"], warning: ["#9a6700", "#fff8c5"],
    info: ["#0969da", "#ddf4ff"], none: ["#57606a", "#f6f8fa"]
  };
  var GAP = 150, MAX_WIDTH = 340, ROW = 22, GROUP_GAP = 48, PAD = 24, LINE = 15;

  var data = JSON.parse(document.getElementById("esmlint-graph").textContent);
  var svg = document.getElementById("canvas");
  var viewport = el("g", { "class": "viewport" });
  svg.appendChild(defs());
  svg.appendChild(viewport);
  var panel = document.getElementById("panel");
  var nodesById = {};
  var shapes = {};
  var view = { x: 0, y: 0, k: 1 };

  function el(name, attrs, text) {
    var node = document.createElementNS(SVG, name);
    for (var key in attrs) { if (attrs[key] !== undefined) node.setAttribute(key, attrs[key]); }
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function h(name, attrs, children) {
    var node = document.createElement(name);
    for (var key in attrs || {}) { node.setAttribute(key, attrs[key]); }
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function defs() {
    var d = el("defs", {});
    Object.keys(COLOURS).forEach(function (name) {
      var marker = el("marker", { id: "arrow-" + name, viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" });
      marker.appendChild(el("path", { d: "M0,0 L10,5 L0,10 z", fill: COLOURS[name][0] }));
      d.appendChild(marker);
    });
    return d;
  }

  function lines(node) {
    var result = [node.label];
    if (["function", "collapsed", "template"].indexOf(node.kind) < 0) {
      result.push((node.external ? "external " : "") + node.title);
    } else if (node.kind === "template") {
      result.push("template (no model)");
    }
    if (node.rules.length) { result.push(node.rules.join(" ")); }
    return result;
  }

  function measure(node) {
    node.full = lines(node);
    var most = Math.floor((MAX_WIDTH - 30) / 7);
    var text = node.full.map(function (t) {
      return t.length > most ? t.slice(0, most - 1) + "\u2026" : t;
    });
    var longest = Math.max.apply(null, text.map(function (t) { return t.length; }));
    node.w = Math.min(Math.max(longest * 7 + 30, 90), MAX_WIDTH);
    node.h = text.length * LINE + 16;
    node.text = text;
  }

  /* Layers: longest path from the nodes nothing points at; cycles are cut where met. */
  function layers(members, edges) {
    var rank = {}, visiting = {}, incoming = {};
    members.forEach(function (n) { incoming[n.id] = []; });
    edges.forEach(function (e) {
      if (incoming[e.target] && incoming[e.source] && e.source !== e.target) {
        incoming[e.target].push(e.source);
      }
    });
    function visit(id) {
      if (rank[id] !== undefined) { return rank[id]; }
      if (visiting[id]) { return 0; }
      visiting[id] = true;
      var r = 0;
      incoming[id].forEach(function (src) { r = Math.max(r, visit(src) + 1); });
      visiting[id] = false;
      rank[id] = r;
      return r;
    }
    members.forEach(function (n) { visit(n.id); });
    return rank;
  }

  function layoutGroup(members, edges, top) {
    var rank = layers(members, edges);
    var columns = [];
    members.forEach(function (n) {
      (columns[rank[n.id]] = columns[rank[n.id]] || []).push(n);
    });
    var neighbours = {};
    members.forEach(function (n) { neighbours[n.id] = []; });
    edges.forEach(function (e) {
      if (neighbours[e.source] && neighbours[e.target]) {
        neighbours[e.source].push(e.target);
        neighbours[e.target].push(e.source);
      }
    });
    var order = {};
    function number(column) { column.forEach(function (n, i) { order[n.id] = i; }); }
    columns.forEach(function (column) { if (column) { number(column); } });
    for (var sweep = 0; sweep < 4; sweep++) {
      columns.forEach(function (column) {
        if (!column) { return; }
        column.forEach(function (n) {
          var around = neighbours[n.id].filter(function (id) { return order[id] !== undefined; });
          n.bary = around.length ? around.reduce(function (s, id) { return s + order[id]; }, 0) /
            around.length : order[n.id];
        });
        column.sort(function (a, b) { return a.bary - b.bary || order[a.id] - order[b.id]; });
        number(column);
      });
    }
    var height = 0;
    columns.forEach(function (column) {
      if (!column) { return; }
      var total = column.reduce(function (s, n) { return s + n.h + ROW; }, -ROW);
      height = Math.max(height, total);
    });
    var x = PAD;
    columns.forEach(function (column) {
      if (!column) { return; }
      var total = column.reduce(function (s, n) { return s + n.h + ROW; }, -ROW);
      var wide = Math.max.apply(null, column.map(function (n) { return n.w; }));
      var y = top + PAD + 18 + (height - total) / 2;
      column.forEach(function (n) {
        n.x = x + (wide - n.w) / 2;
        n.y = y;
        y += n.h + ROW;
      });
      x += wide + GAP;
    });
    return { width: Math.max(x - GAP + PAD, 200), height: height + PAD * 2 + 18 };
  }

  /* Groups are laid out at the origin, then packed in rows (shelves) about as wide as
   * the window is in proportion, so that many small templates fill the page instead of
   * one long column. */
  function layout() {
    data.nodes.forEach(function (n) { measure(n); nodesById[n.id] = n; });
    var boxes = [];
    data.groups.forEach(function (group) {
      var members = group.nodes.map(function (id) { return nodesById[id]; });
      var inside = {};
      group.nodes.forEach(function (id) { inside[id] = true; });
      var edges = data.edges.filter(function (e) { return inside[e.source] && inside[e.target]; });
      var size = layoutGroup(members, edges, 0);
      boxes.push({ label: group.label, members: members, height: size.height,
        width: Math.max(size.width, Math.min(group.label.length, 60) * 7 + 40) });
    });
    var area = boxes.reduce(function (s, b) { return s + (b.width + GROUP_GAP) * (b.height + GROUP_GAP); }, 0);
    var widest = Math.max.apply(null, boxes.map(function (b) { return b.width; }).concat([0]));
    var rect = svg.getBoundingClientRect();
    var aspect = rect.height > 0 ? rect.width / rect.height : 1.6;
    var limit = Math.max(widest, Math.sqrt(area * aspect));
    var x = 0, y = 0, row = 0;
    boxes.forEach(function (box) {
      if (x > 0 && x + box.width > limit) { x = 0; y += row + GROUP_GAP; row = 0; }
      box.x = x; box.y = y;
      box.members.forEach(function (n) { n.x += x; n.y += y; });
      x += box.width + GROUP_GAP;
      row = Math.max(row, box.height);
    });
    return boxes;
  }


  function shapePath(n) {
    var x = n.x, y = n.y, w = n.w, hh = n.h, s = 10;
    switch (n.shape) {
      case "store":
        return "M" + x + "," + (y + 6) + " a" + w / 2 + ",6 0 0,1 " + w + ",0 v" + (hh - 12) +
          " a" + w / 2 + ",6 0 0,1 " + (-w) + ",0 z M" + x + "," + (y + 6) + " a" + w / 2 +
          ",6 0 0,0 " + w + ",0";
      case "bus":
        return "M" + (x + s) + "," + y + " h" + (w - 2 * s) + " l" + s + "," + hh / 2 + " l" +
          (-s) + "," + hh / 2 + " h" + (-(w - 2 * s)) + " l" + (-s) + "," + (-hh / 2) + " z";
      case "api":
        return "M" + (x + s) + "," + y + " h" + (w - s) + " l" + (-s) + "," + hh + " h" +
          (-(w - s)) + " z";
      case "template":
        return "M" + x + "," + y + " h" + (w - s) + " l" + s + "," + s + " v" + (hh - s) +
          " h" + (-w) + " z";
      default:
        return null;
    }
  }

  function colours(severity) { return COLOURS[severity || "none"]; }

  function drawNode(n) {
    var c = colours(n.severity);
    var g = el("g", { "class": "node kind-" + n.kind, tabindex: 0, role: "button",
      "data-id": n.id, "aria-label": n.full.join(", ") });
    var path = shapePath(n);
    var attrs = { fill: n.kind === "collapsed" ? "#ffffff" : c[1], stroke: c[0],
      "stroke-width": n.severity ? 2 : 1.3,
      "stroke-dasharray": (n.external || n.kind === "collapsed") ? "5 3" : undefined };
    var body;
    if (path) {
      attrs.d = path;
      body = el("path", attrs);
    } else {
      attrs.x = n.x; attrs.y = n.y; attrs.width = n.w; attrs.height = n.h;
      attrs.rx = n.kind === "function" ? 12 : 3;
      body = el("rect", attrs);
    }
    g.appendChild(body);
    n.text.forEach(function (line, i) {
      var cls = i === 0 ? "name" : (n.rules.length && i === n.text.length - 1 ? "rules" : "title");
      g.appendChild(el("text", { x: n.x + n.w / 2, y: n.y + 8 + LINE * (i + 0.8),
        "class": cls, fill: cls === "rules" ? c[0] : undefined }, line));
    });
    g.appendChild(el("title", {}, n.full.join("\n")));
    g.addEventListener("click", function (event) { event.stopPropagation(); select(n.id); });
    g.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") { event.preventDefault(); select(n.id); }
    });
    shapes[n.id] = g;
    return g;
  }

  function drawEdge(e, index) {
    var a = nodesById[e.source], b = nodesById[e.target];
    var c = colours(e.severity);
    var x1 = a.x + a.w, y1 = a.y + a.h / 2, x2 = b.x, y2 = b.y + b.h / 2;
    if (x2 <= x1) {  // a back or same-layer edge: leave and enter on the same side
      x2 = b.x + b.w;
    }
    var dx = Math.max(Math.abs(x2 - x1) / 2, 40);
    var d = "M" + x1 + "," + y1 + " C" + (x1 + dx) + "," + y1 + " " + (x2 - dx * (x2 > x1 ? 1 : -1)) +
      "," + y2 + " " + x2 + "," + y2;
    var dash = e.relation !== "invoke" ? "2 4" : (e.mode === "async" ? "6 4" : undefined);
    var g = el("g", { "class": "edge", "data-id": e.id, tabindex: 0, role: "button" });
    g.appendChild(el("path", { d: d, fill: "none", stroke: "transparent", "stroke-width": 12 }));
    g.appendChild(el("path", { d: d, fill: "none", stroke: c[0],
      "stroke-width": e.severity ? 2.2 : (e.mode === "sync" ? 2.4 : 1.3),
      "stroke-dasharray": dash, "marker-end": "url(#arrow-" + (e.severity || "none") + ")" }));
    var label = e.rules.length ? e.label + " " + e.rules.join(" ") : e.label;
    var mx = (x1 + x2) / 2, my = (y1 + y2) / 2 - 4;
    var width = label.length * 5.6 + 8;
    g.appendChild(el("rect", { x: mx - width / 2, y: my - 10, width: width, height: 14, rx: 3,
      fill: "#ffffff", opacity: 0.85 }));
    g.appendChild(el("text", { x: mx, y: my, "class": "edge-label", fill: c[0] }, label));
    g.addEventListener("click", function (event) { event.stopPropagation(); selectEdge(index); });
    g.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { selectEdge(index); }
    });
    return g;
  }

  function draw() {
    var boxes = layout();
    boxes.forEach(function (box) {
      if (!box.label) { return; }
      viewport.appendChild(el("rect", { x: box.x + 4, y: box.y + 4, width: box.width - 8,
        height: box.height - 8, rx: 8, "class": "group" }));
      var label = box.label.length > 60 ? "\u2026" + box.label.slice(-59) : box.label;
      var text = el("text", { x: box.x + 16, y: box.y + 22, "class": "group-label" }, label);
      text.appendChild(el("title", {}, box.label));
      viewport.appendChild(text);
    });
    var edgeLayer = el("g", {}), nodeLayer = el("g", {});
    data.edges.forEach(function (e, i) { edgeLayer.appendChild(drawEdge(e, i)); });
    data.nodes.forEach(function (n) { nodeLayer.appendChild(drawNode(n)); });
    viewport.appendChild(edgeLayer);
    viewport.appendChild(nodeLayer);
    if (!data.nodes.length) {
      viewport.appendChild(el("text", { x: 40, y: 60, "class": "group-label" }, "No functions found."));
    }
  }

  function apply() {
    viewport.setAttribute("transform", "translate(" + view.x + "," + view.y + ") scale(" + view.k + ")");
  }

  function fit() {
    var box = viewport.getBBox();
    var rect = svg.getBoundingClientRect();
    if (!box.width || !box.height) { return; }
    var k = Math.min(rect.width / (box.width + 40), rect.height / (box.height + 40), 1.5);
    // A graph too large to read when fitted starts readable, at its top left corner.
    view.k = Math.max(k, 0.45);
    view.x = view.k > k ? 20 - box.x * view.k : (rect.width - box.width * view.k) / 2 - box.x * view.k;
    view.y = view.k > k ? 20 - box.y * view.k : (rect.height - box.height * view.k) / 2 - box.y * view.k;
    apply();
  }

  function zoom(factor, cx, cy) {
    var rect = svg.getBoundingClientRect();
    cx = cx === undefined ? rect.width / 2 : cx;
    cy = cy === undefined ? rect.height / 2 : cy;
    var k = Math.min(Math.max(view.k * factor, 0.1), 6);
    view.x = cx - (cx - view.x) * (k / view.k);
    view.y = cy - (cy - view.y) * (k / view.k);
    view.k = k;
    apply();
  }

  function panning() {
    var start = null;
    svg.addEventListener("pointerdown", function (event) {
      if (event.target.closest && event.target.closest(".node, .edge")) { return; }
      start = { x: event.clientX - view.x, y: event.clientY - view.y };
      svg.setPointerCapture(event.pointerId);
      svg.classList.add("dragging");
    });
    svg.addEventListener("pointermove", function (event) {
      if (!start) { return; }
      view.x = event.clientX - start.x;
      view.y = event.clientY - start.y;
      apply();
    });
    svg.addEventListener("pointerup", function () { start = null; svg.classList.remove("dragging"); });
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      var rect = svg.getBoundingClientRect();
      zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - rect.left, event.clientY - rect.top);
    }, { passive: false });
    svg.addEventListener("click", function () { clear(); });
    document.getElementById("zoom-in").addEventListener("click", function () { zoom(1.25); });
    document.getElementById("zoom-out").addEventListener("click", function () { zoom(1 / 1.25); });
    document.getElementById("zoom-fit").addEventListener("click", fit);
  }

  function findingList(findings) {
    if (!findings.length) { return h("p", { "class": "quiet" }, ["No findings."]); }
    return h("ul", { "class": "findings" }, findings.map(function (f) {
      var link = h("a", { href: f.url, target: "_blank", rel: "noopener noreferrer",
        "class": "rule" }, [f.rule]);
      return h("li", { "class": "finding " + f.severity }, [
        h("span", { "class": "badge " + f.severity }, [f.severity]), " ", link,
        f.name ? h("span", { "class": "rule-name" }, [" " + f.name]) : "",
        h("div", { "class": "message" }, [f.message]),
        h("div", { "class": "where" }, [f.path + ":" + f.line + ":" + f.column +
          (f.resource ? " [" + f.resource + "]" : "")])
      ]);
    }));
  }

  function show(heading, facts, findings, extra) {
    panel.innerHTML = "";
    panel.appendChild(h("h2", {}, [heading]));
    panel.appendChild(h("dl", {}, facts.reduce(function (list, pair) {
      if (pair[1] !== "" && pair[1] !== undefined && pair[1] !== null) {
        list.push(h("dt", {}, [pair[0]]), h("dd", {}, [String(pair[1])]));
      }
      return list;
    }, [])));
    panel.appendChild(h("h3", {}, ["Findings (" + findings.length + ")"]));
    panel.appendChild(findingList(findings));
    if (extra) { panel.appendChild(extra); }
    panel.classList.add("open");
  }

  function clear() {
    Object.keys(shapes).forEach(function (id) { shapes[id].classList.remove("selected"); });
  }

  function select(id) {
    var n = nodesById[id];
    if (!n) { return; }
    clear();
    shapes[id].classList.add("selected");
    var extra = null;
    if (n.members.length) {
      extra = h("div", {}, [h("h3", {}, ["Collapsed (" + n.members.length + ")"]),
        h("ul", { "class": "members" }, n.members.map(function (m) {
          return h("li", {}, [m.split("|").pop()]);
        }))]);
    }
    var edges = data.edges.filter(function (e) { return e.source === id || e.target === id; });
    if (edges.length) {
      var list = h("ul", { "class": "members" }, edges.map(function (e) {
        var other = nodesById[e.source === id ? e.target : e.source];
        var arrow = e.source === id ? "\u2192 " : "\u2190 ";
        return h("li", {}, [arrow + other.label + " (" + e.label + ")" +
          (e.rules.length ? " " + e.rules.join(" ") : "")]);
      }));
      var wrap = h("div", {}, [h("h3", {}, ["Connections"]), list]);
      if (extra) { extra.appendChild(wrap); } else { extra = wrap; }
    }
    show(n.label, [["kind", n.title], ["type", n.type],
      ["defined in", n.file ? n.file + (n.line ? ":" + n.line : "") : ""],
      ["external", n.external ? "yes: not in the templates read" : ""]], n.findings, extra);
  }

  function selectEdge(index) {
    var e = data.edges[index];
    clear();
    show(nodesById[e.source].label + " \u2192 " + nodesById[e.target].label,
      [["relation", e.relation], ["mode", e.mode], ["kind", e.kind],
        ["defined in", e.file ? e.file + (e.line ? ":" + e.line : "") : ""]], e.findings, null);
  }

  function summary() {
    var s = data.summary;
    var text = s.functions + " function" + (s.functions === 1 ? "" : "s") + ", " + s.nodes +
      " nodes, " + s.edges + " edges; " + s.findings + " finding" + (s.findings === 1 ? "" : "s") +
      (s.findings ? " (" + s.errors + " errors, " + s.warnings + " warnings, " + s.infos +
        " infos)" : "");
    document.getElementById("summary").textContent = text;
  }

  draw();
  summary();
  panning();
  fit();
  window.addEventListener("resize", fit);
  var match = /[#&]select=([^&]*)/.exec(window.location.hash);
  if (match) { select(decodeURIComponent(match[1])); }
  document.body.setAttribute("data-ready", "true");
})();
