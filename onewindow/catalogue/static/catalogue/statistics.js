// Charts of the catalogue statistics page (ECharts, vendored). Data comes from #chart-data.
(function () {
  var data = JSON.parse(document.getElementById("chart-data").textContent);
  var labels = JSON.parse(document.getElementById("chart-labels").textContent);
  function chart(id, option) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) return;
    var c = echarts.init(el);
    c.setOption(option);
    window.addEventListener("resize", function () { c.resize(); });
  }
  chart("chart-halls", {
    tooltip: { trigger: "axis" },
    legend: { data: [labels.immediate, labels.promised, labels.speed_up] },
    grid: { left: 40, right: 50, bottom: 90 },
    xAxis: { type: "category", data: data.halls, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: [{ type: "value" }, { type: "value", max: 100, axisLabel: { formatter: "{value} %" } }],
    series: [
      { name: labels.immediate, type: "bar", stack: "items", data: data.hall_immediate },
      { name: labels.promised, type: "bar", stack: "items", data: data.hall_promised },
      { name: labels.speed_up, type: "line", yAxisIndex: 1, data: data.hall_speed_up }
    ]
  });
  chart("chart-handling", {
    tooltip: { trigger: "item" },
    series: [{ type: "pie", radius: ["35%", "65%"], data: [
      { name: labels.immediate, value: data.immediate },
      { name: labels.promised, value: data.promised }
    ] }]
  });
  chart("chart-departments", {
    tooltip: { trigger: "axis" },
    grid: { left: 40, right: 20, bottom: 110 },
    xAxis: { type: "category", data: data.departments, axisLabel: { rotate: 40, interval: 0 } },
    yAxis: { type: "value" },
    series: [{ name: labels.items, type: "bar", data: data.department_items }]
  });
})();
