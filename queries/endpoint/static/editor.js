// The landing page's query editor: YASGUI on this endpoint, with the example questions as one-click queries.
(function () {
  "use strict";
  var queries = JSON.parse(document.getElementById("queries").textContent);
  var el = document.getElementById("yasgui");
  if (!el || typeof Yasgui === "undefined") { return; }
  var endpoint = new URL("/sparql", window.location.href).href;
  var yasgui = new Yasgui(el, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,          // start from this page's query, not a stale one from localStorage
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
  });
  var tab = yasgui.getTab();
  tab.setQuery(queries["dept-owners"] || Object.values(queries)[0] || "SELECT * WHERE { ?s ?p ?o } LIMIT 10");
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
