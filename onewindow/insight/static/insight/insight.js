// Process insight charts (ECharts): the immediate share by month, the slowest steps.
(function () {
  var source = document.getElementById("insight-chart-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  var share = document.getElementById("insight-immediate-chart");
  if (share) {
    var c1 = echarts.init(share);
    c1.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 20, bottom: 30 },
      xAxis: { type: "category", data: data.immediate.months },
      yAxis: { type: "value", max: 100 },
      series: [{ name: data.immediate.name, type: "line", data: data.immediate.share }]
    });
    share.dataset.ready = "1";
    charts.push(c1);
  }
  var steps = document.getElementById("insight-steps-chart");
  if (steps) {
    var c2 = echarts.init(steps);
    c2.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 200, right: 16, top: 30, bottom: 20 },
      yAxis: { type: "category", data: data.steps.names, inverse: true },
      xAxis: { type: "value" },
      series: [
        { name: data.steps.median_name, type: "bar", data: data.steps.median },
        { name: data.steps.p90_name, type: "bar", data: data.steps.p90 }
      ]
    });
    steps.dataset.ready = "1";
    charts.push(c2);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
