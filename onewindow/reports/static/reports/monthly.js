// The monthly report chart: received, decided and overdue per hall or department (ECharts).
(function () {
  var holder = document.getElementById("report-chart");
  var source = document.getElementById("report-chart-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 60 },
    xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
  });
  holder.dataset.ready = "1";
  window.addEventListener("resize", function () { chart.resize(); });
})();
