// Season board of an industry chain (产销对接看板): reads the board's JSON (json_script) and draws
// two ECharts charts — supply by harvest day (stacked by product) and orders by delivery day with
// the planned shipments as a line. No inline script: the page's CSP allows our own files only.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("tc-board-data");
    if (!source || typeof window.echarts === "undefined") return;
    var data = JSON.parse(source.textContent);
    var supplyEl = document.getElementById("tc-chart-supply");
    var demandEl = document.getElementById("tc-chart-demand");
    var axis = { type: "category", data: data.days };
    var common = {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 50, right: 16, top: 36, bottom: 50 },
      dataZoom: [{ type: "inside" }, { type: "slider", height: 16, bottom: 8 }],
      xAxis: axis,
      yAxis: { type: "value" },
    };
    function stacked(series, stack) {
      return Object.keys(series).map(function (name) {
        return { name: name, type: "bar", stack: stack, data: series[name] };
      });
    }
    if (supplyEl) {
      var supply = window.echarts.init(supplyEl);
      supply.setOption(Object.assign({}, common, { series: stacked(data.supply, "supply") }));
      window.addEventListener("resize", function () { supply.resize(); });
    }
    if (demandEl) {
      var demand = window.echarts.init(demandEl);
      var series = stacked(data.demand, "demand");
      series.push({
        name: demandEl.getAttribute("data-planned-label") || "planned",
        type: "line",
        data: data.planned,
        symbol: "none",
      });
      demand.setOption(Object.assign({}, common, { series: series }));
      window.addEventListener("resize", function () { demand.resize(); });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
