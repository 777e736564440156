// The supervision desk chart: cards per hall per week (data from the page, drawn by ECharts).
(function () {
  var holder = document.getElementById("cards-chart");
  var source = document.getElementById("cards-chart-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", top: 0 },
    grid: { left: 40, right: 16, top: 36, bottom: 32 },
    xAxis: { type: "category", data: data.weeks },
    yAxis: { type: "value", minInterval: 1 },
    series: data.series.map(function (s) {
      return { name: s.name, type: "bar", stack: "cards", data: s.data };
    })
  });
  holder.dataset.ready = "1";
  window.addEventListener("resize", function () { chart.resize(); });
})();
