// The page's behaviour: vis-network over the inlined data, a legend that filters by class,
// region and plan filters, a search box, and layout frozen once stabilised.
// Document strings are only ever set as text (textContent / option text / vis-network labels).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("ipkg-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var status = document.getElementById("status");
  window.nodes = nodes;           // read by the browser tests and handy in the console
  window.edges = edges;
  window.network = network;
  window.ipkgReady = null;        // ms since navigation start when the picture became interactive

  function ready() {
    network.setOptions({ physics: false });   // frozen: dragging a node moves only that node
    window.ipkgReady = performance.now();
    status.textContent = "就绪 ready (" + Math.round(window.ipkgReady) + " ms)";
  }
  network.on("stabilizationProgress", function (p) {
    status.textContent = "布局计算中 laying out… " + Math.round(100 * p.iterations / p.total) + "%";
  });
  network.once("stabilizationIterationsDone", ready);
  if (data.nodes.length === 0) { ready(); }

  // ---- legend = class filter
  var hiddenClass = {};
  var legend = document.getElementById("legend");
  data.legend.forEach(function (c) {
    var li = document.createElement("li");
    var box = document.createElement("input");
    box.type = "checkbox"; box.checked = true; box.dataset.cls = c.cls;
    var sw = document.createElement("span");
    sw.className = "swatch"; sw.style.background = c.color;
    var name = document.createElement("span");
    name.textContent = c.zh + " " + c.en;
    name.title = c.shape;
    var n = document.createElement("span");
    n.className = "count"; n.textContent = c.count.toLocaleString();
    box.addEventListener("change", function () { hiddenClass[c.cls] = !box.checked; applyFilters(); });
    li.append(box, sw, name, n);
    legend.appendChild(li);
  });

  // ---- relation colours: the edges' legend
  var relations = document.getElementById("relations");
  data.relations.forEach(function (r) {
    var li = document.createElement("li");
    li.dataset.kind = r.kind;
    var sw = document.createElement("span");
    sw.className = "line"; sw.style.borderTopColor = r.color;
    var name = document.createElement("span");
    name.textContent = r.zh + " " + r.en;
    var n = document.createElement("span");
    n.className = "count"; n.textContent = r.count.toLocaleString();
    li.append(sw, name, n);
    relations.appendChild(li);
  });

  // ---- a large neighbourhood opens with its tasks collapsed, one node per plan; a click opens one
  window.ipkgClusters = [];
  function openClusterOf(id) {
    var path = network.clustering.findNode(id);
    for (var i = 0; i < path.length - 1; i++) {
      if (network.isCluster(path[i])) { network.openCluster(path[i]); }
    }
  }
  if (data.clusterTasks) {
    data.plans.forEach(function (p, i) {
      var tasks = data.nodes.filter(function (n) { return n.group === "Task" && n.plans[0] === i; }).length;
      if (tasks < 2) { return; }
      var id = "tasks-of-plan-" + i;
      network.cluster({
        joinCondition: function (n) { return n.group === "Task" && n.plans && n.plans[0] === i; },
        clusterNodeProperties: {
          id: id, label: tasks + " 项任务 tasks（点击展开 click to open）", shape: "dot", size: 22,
          color: { background: "#90a4ae", border: "#546e7a" }, borderWidth: 2,
          title: p.name + "\n" + tasks + " 项任务 tasks：点击展开 click to open",
        },
      });
      window.ipkgClusters.push(id);
    });
    network.on("click", function (params) {
      if (params.nodes.length === 1 && network.isCluster(params.nodes[0])) { network.openCluster(params.nodes[0]); }
    });
  }

  // ---- region and plan filters
  var regionSel = document.getElementById("region"), planSel = document.getElementById("plan");
  var plans = data.plans;        // [{key, name, region}]; a node's "plans" are indices into it
  var regions = {};
  plans.forEach(function (p) { regions[p.region] = true; });
  Object.keys(regions).sort().forEach(function (r) { regionSel.add(new Option(r, r)); });
  plans.map(function (p, i) { return i; })
    .sort(function (a, b) { return plans[a].name.localeCompare(plans[b].name); })
    .forEach(function (i) { planSel.add(new Option(plans[i].name, plans[i].key)); });
  regionSel.addEventListener("change", applyFilters);
  planSel.addEventListener("change", applyFilters);

  function applyFilters() {
    var region = regionSel.value;
    var plan = planSel.value ? plans.findIndex(function (p) { return p.key === planSel.value; }) : -1;
    var updates = data.nodes.map(function (n) {
      var show = !hiddenClass[n.group];
      if (show && plan >= 0) { show = n.plans.indexOf(plan) >= 0; }
      if (show && region) { show = n.plans.some(function (i) { return plans[i].region === region; }); }
      return { id: n.id, hidden: !show };
    });
    nodes.update(updates);
    var shown = updates.filter(function (u) { return !u.hidden; }).length;
    document.getElementById("found").textContent = "显示 showing " + shown.toLocaleString() + " / " +
      data.nodes.length.toLocaleString();
  }

  // ---- search by name
  var names = document.getElementById("names");
  var seen = {};
  data.nodes.forEach(function (n) {
    if (!seen[n.fullName] && names.childElementCount < 5000) {
      seen[n.fullName] = true;
      var o = document.createElement("option"); o.value = n.fullName; names.appendChild(o);
    }
  });
  var search = document.getElementById("search");
  function find() {
    var q = search.value.trim();
    var out = document.getElementById("found");
    if (!q) { network.unselectAll(); out.textContent = ""; return; }
    var hits = data.nodes.filter(function (n) { return n.fullName === q; });
    if (!hits.length) { hits = data.nodes.filter(function (n) { return n.fullName.indexOf(q) >= 0; }); }
    hits = hits.filter(function (n) { return !nodes.get(n.id).hidden; });
    if (!hits.length) { out.textContent = "未找到 not found"; return; }
    hits.forEach(function (n) { openClusterOf(n.id); });
    network.selectNodes(hits.map(function (n) { return n.id; }));
    network.focus(hits[0].id, { scale: 1.2, animation: { duration: 400 } });
    out.textContent = "找到 found " + hits.length + "：" + hits[0].fullName;
  }
  search.addEventListener("change", find);
  search.addEventListener("keydown", function (e) { if (e.key === "Enter") { find(); } });
})();
