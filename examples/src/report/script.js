(function () {
  "use strict";
  // Sortable tables: click a heading; cells may carry data-sort.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      th.addEventListener("click", function () {
        var asc = !th.classList.contains("asc");
        heads.forEach(function (h) { h.classList.remove("asc", "desc"); });
        th.classList.add(asc ? "asc" : "desc");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (r) {
          var c = r.cells[col];
          if (!c) return "";
          var v = c.dataset.sort !== undefined ? c.dataset.sort : c.textContent;
          var n = Number(v);
          return v !== "" && !isNaN(n) ? n : v.toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          var r = x < y ? -1 : x > y ? 1 : 0;
          return asc ? r : -r;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  // Filter the asset table.
  var filter = document.getElementById("filter");
  var assets = document.getElementById("assets");
  if (filter && assets) {
    filter.addEventListener("input", function () {
      var q = filter.value.toLowerCase();
      Array.prototype.forEach.call(assets.tBodies[0].rows, function (r) {
        r.style.display = r.textContent.toLowerCase().indexOf(q) >= 0 ? "" : "none";
      });
    });
  }
  // Hover a host (or group) on the map to highlight its edges.
  var map = document.querySelector("svg.map");
  if (map) {
    var edges = map.querySelectorAll("g.edge");
    map.querySelectorAll("g.node, g.group").forEach(function (g) {
      var id = g.dataset.key;
      g.addEventListener("mouseenter", function () {
        map.classList.add("dim");
        edges.forEach(function (e) {
          if (e.dataset.src === id || e.dataset.dst === id) e.classList.add("hl");
        });
      });
      g.addEventListener("mouseleave", function () {
        map.classList.remove("dim");
        edges.forEach(function (e) { e.classList.remove("hl"); });
      });
    });
  }
  document.body.dataset.ready = "1";
})();
