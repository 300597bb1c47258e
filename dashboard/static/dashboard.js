// Draws the dashboard's figures: each one's JSON waits in a
// <script type="application/json"> beside its box (no inline script: the CSP).
(function () {
  "use strict";
  function draw() {
    var boxes = document.querySelectorAll("[data-figure]");
    boxes.forEach(function (box) {
      var source = document.getElementById(box.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      var still = box.hasAttribute("data-static");
      window.Plotly.newPlot(box, figure.data, figure.layout, {
        responsive: !still, staticPlot: still, displaylogo: false,
        displayModeBar: false, locale: document.documentElement.lang || "id"
      }).then(function () { box.setAttribute("data-drawn", "1"); });
    });
    var printer = document.querySelector("[data-print]");
    if (printer) { printer.addEventListener("click", function () { window.print(); }); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else { draw(); }
}());
