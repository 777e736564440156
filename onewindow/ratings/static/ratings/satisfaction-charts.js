// Satisfaction charts (the staff satisfaction pages and the public figures page): the data
// come from the page (json_script), labels already translated; ECharts speaks the page's
// language for its own words (tooltips, toolbox).
(function () {
  if (typeof echarts === "undefined") return;
  var locale = (document.documentElement.lang || "").indexOf("zh") === 0 ? "ZH" : "EN";
  // 非常满意 … 非常不满意: green to red.
  var LEVEL_COLOURS = ["#2e7d32", "#7cb342", "#c0ca33", "#fb8c00", "#e53935"];
  var percent = function (v) { return v === null || v === undefined ? "—" : v + " %"; };

  function trend(data) {
    var series = data.series.map(function (s, i) {
      return {
        name: s.name, type: "line", data: s.data, connectNulls: false, yAxisIndex: 0,
        lineStyle: { width: i === 0 ? 3 : 1.5 }, symbolSize: i === 0 ? 6 : 4,
        tooltip: { valueFormatter: percent }
      };
    });
    var yAxis = [{ type: "value", name: data.rate_label, max: 100, axisLabel: { formatter: "{value}" } }];
    if (data.counts) {
      yAxis.push({ type: "value", name: data.counts.name, minInterval: 1, splitLine: { show: false } });
      series.push({
        name: data.counts.name, type: "bar", yAxisIndex: 1, data: data.counts.data,
        itemStyle: { color: "rgba(13, 110, 253, 0.25)" }, z: 1
      });
    }
    return {
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 48, top: 56, bottom: 32 },
      xAxis: { type: "category", data: data.months },
      yAxis: yAxis,
      series: series
    };
  }

  function levels(data) {
    return {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: percent },
      legend: { type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 24, containLabel: true },
      xAxis: { type: "value", max: 100, name: data.share_label, nameLocation: "middle", nameGap: 24 },
      yAxis: { type: "category", data: data.categories, inverse: true },
      series: data.series.map(function (s, i) {
        return { name: s.name, type: "bar", stack: "levels", data: s.data,
                 itemStyle: { color: LEVEL_COLOURS[i] } };
      })
    };
  }

  var builders = { trend: trend, levels: levels };
  document.querySelectorAll("[data-chart]").forEach(function (holder) {
    var source = document.getElementById(holder.dataset.chart + "-data");
    var build = builders[holder.dataset.kind];
    if (!source || !build) return;
    var chart = echarts.init(holder, null, { locale: locale });
    chart.setOption(build(JSON.parse(source.textContent)));
    holder.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
