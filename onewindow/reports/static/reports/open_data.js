// Open data: received and decided per hall, and the in-time and satisfaction rates (ECharts).
(function () {
  var source = document.getElementById("open-chart-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  function bars(id, names, series, percent) {
    var holder = document.getElementById(id);
    if (!holder) return;
    var chart = echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 48, right: 16, top: 36, bottom: 70 },
      xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: percent ? { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }
                     : { type: "value", minInterval: 1 },
      series: series.map(function (s) { return { name: s[0], type: "bar", data: s[1] }; })
    });
    holder.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var l = data.labels;
  bars("open-chart-volume", data.names, [[l.received, data.received], [l.decided, data.decided]], false);
  bars("open-chart-rates", data.names, [[l.in_time, data.in_time], [l.satisfaction, data.satisfaction]], true);
})();
