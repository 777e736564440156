// The arrivals heat map of the floor statistics: tickets issued per weekday and hour. The
// data come from the page (json_script), labels already translated.
(function () {
  if (typeof echarts === "undefined") return;
  var el = document.getElementById("heatmap");
  var source = document.getElementById("heatmap-data");
  if (!el || !source) return;
  var data = JSON.parse(source.textContent);
  var locale = (document.documentElement.lang || "").indexOf("zh") === 0 ? "ZH" : "EN";
  var chart = echarts.init(el, null, { locale: locale });
  chart.setOption({
    tooltip: {
      position: "top",
      formatter: function (p) {
        return data.days[p.value[1]] + " " + data.hours[p.value[0]] + ":00 · " + data.label + ": " + p.value[2];
      }
    },
    grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
    xAxis: { type: "category", data: data.hours, splitArea: { show: true } },
    yAxis: { type: "category", data: data.days, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0, max: Math.max(data.max, 1), calculable: true, orient: "horizontal",
      left: "center", bottom: 0, inRange: { color: ["#f7fbff", "#6baed6", "#08306b"] }
    },
    series: [{ name: data.label, type: "heatmap", data: data.cells, label: { show: false },
               emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }]
  });
  el.setAttribute("data-drawn", "1");
  window.addEventListener("resize", function () { chart.resize(); });
})();
