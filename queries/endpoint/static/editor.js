// The landing page's query editor: YASGUI on this endpoint, with the example questions as one-click queries.
(function () {
  "use strict";
  var queries = JSON.parse(document.getElementById("queries").textContent);
  var el = document.getElementById("yasgui");
  if (!el || typeof Yasgui === "undefined") { return; }
  var endpoint = new URL("/sparql", window.location.href).href;
  var opened = window.location.hash;  // read before YASGUI rewrites the address with its tab's state
  var yasgui = new Yasgui(el, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,          // start from this page's query, not a stale one from localStorage
    autofocus: false,             // a focused editor scrolls the page down to it: the page opens at its top
    yasqe: { autofocus: false },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
  });
  var tab = yasgui.getTab();
  tab.setQuery(queries["dept-owners"] || Object.values(queries)[0] || "SELECT * WHERE { ?s ?p ?o } LIMIT 10");
  // the page opens at its top, or at the place its address named (/#editor, where /sparql sends a browser): once
  // loaded, as the browser's own scroll to the (by then rewritten) address would undo it
  function place() {
    var target = opened && document.getElementById(opened.slice(1));
    if (target) { target.scrollIntoView(); } else { window.scrollTo(0, 0); }
  }
  if (document.readyState === "complete") { place(); } else {
    window.addEventListener("load", function () { setTimeout(place, 0); });
  }
  document.querySelectorAll("a.run").forEach(function (a) {
    a.addEventListener("click", function (ev) {
      ev.preventDefault();
      var q = queries[a.dataset.q];
      tab.setQuery(q);
      tab.query();
      el.scrollIntoView();
    });
  });
  window.ipkgEditor = yasgui;     // for the browser test and for curious analysts
})();
