// The assessment ranking: the totals and one bar chart per block (ECharts).
(function () {
  var source = document.getElementById("assessment-chart-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  function draw(id, title, series, max) {
    var holder = document.getElementById(id);
    if (!holder) return;
    var chart = echarts.init(holder);
    chart.setOption({
      title: { text: title, left: "center", textStyle: { fontSize: 13 } },
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 36, bottom: 60 },
      xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", max: max },
      series: [{ name: series.name, type: "bar", data: series.data, label: { show: true, position: "top" } }]
    });
    holder.dataset.ready = "1";
    charts.push(chart);
  }
  draw("chart-total", data.total.name, data.total, null);
  data.blocks.forEach(function (b) { draw("chart-" + b.code, b.name + " (" + b.weight + ")", b, b.weight); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
