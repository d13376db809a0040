// The leadership dashboard's charts (ECharts, vendored). The data come from the page's
// json_script blocks, the same object GET /api/v1/dashboard/ answers. A click on a bar of a
// unit below the one shown opens that unit's view, keeping the period (?period=&unit=).
(function () {
  "use strict";

  const dataNode = document.getElementById("dashboard-data");
  const labelNode = document.getElementById("dashboard-labels");
  if (!dataNode || !labelNode || typeof echarts === "undefined") return;
  const data = JSON.parse(dataNode.textContent);
  const words = JSON.parse(labelNode.textContent);
  const panels = data.panels;
  const charts = {};
  // Tests and curious users find each chart here, with the unit a bar opens.
  window.dashboardCharts = charts;

  const LIGHT_COLOURS = { on_track: "#198754", due_soon: "#ffc107", behind: "#fd7e14", overdue: "#dc3545" };
  const RISK_COLOURS = { green: "#198754", yellow: "#ffc107", orange: "#fd7e14", red: "#dc3545" };

  function drillTo(unit) {
    const params = new URLSearchParams({ period: data.period.id, unit: unit });
    window.location.search = params.toString();
  }

  // A horizontal bar chart: units down the side (their names stay readable on a phone).
  function bars(key, rows, series, options) {
    const node = document.querySelector('[data-chart="' + key + '"]');
    if (!node) return;
    if (!rows.length) {
      node.remove();
      return;
    }
    node.style.height = Math.max(180, 60 + rows.length * (series.length > 1 && !(options && options.stack) ? 36 : 26)) + "px";
    const chart = echarts.init(node, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: options && options.max },
      yAxis: {
        type: "category",
        inverse: true,
        data: rows.map((row) => row.name),
        axisLabel: { width: 96, overflow: "truncate" },
      },
      series: series.map((one) =>
        Object.assign(
          { type: "bar", stack: options && options.stack ? "total" : undefined, barMaxWidth: 22 },
          one,
        ),
      ),
    });
    const drills = rows.map((row) => row.drill || null);
    chart.on("click", (params) => {
      const unit = drills[params.dataIndex];
      if (unit) drillTo(unit);
    });
    chart.drills = drills;
    charts[key] = chart;
  }

  function assessment() {
    const level = panels.assessment.levels[0];
    if (!level) return bars("assessment", [], []);
    bars("assessment", level.rows, [
      { name: words.current, data: level.rows.map((row) => row.total) },
      { name: words.previous, data: level.rows.map((row) => row.previous_total) },
    ]);
  }

  function objectives() {
    const rows = panels.objectives.by_unit;
    bars(
      "objectives",
      rows,
      panels.objectives.lights.map((light) => ({
        name: light.label,
        data: rows.map((row) => row.counts[light.key]),
        itemStyle: { color: LIGHT_COLOURS[light.key] },
      })),
      { stack: true },
    );
  }

  function supervision() {
    const rows = panels.supervision.by_unit;
    const shown = panels.supervision.columns.filter((column) => column.key !== "assigned");
    bars(
      "supervision",
      rows,
      shown.map((column) => ({ name: column.label, data: rows.map((row) => row[column.key]) })),
    );
  }

  function cases() {
    const rows = panels.cases.by_unit;
    bars("cases", rows, [
      { name: words.cases, data: rows.map((row) => row.cases) },
      { name: words.sensitive, data: rows.map((row) => row.sensitive) },
      { name: words.on_time, data: rows.map((row) => row.on_time) },
    ]);
  }

  function referrals() {
    if (!panels.referrals.available) return;
    const rows = panels.referrals.by_department;
    bars(
      "referrals",
      rows,
      [
        { name: words.accept_rate, data: rows.map((row) => row.accept_on_time_rate) },
        { name: words.complete_rate, data: rows.map((row) => row.complete_on_time_rate) },
      ],
      { max: 100 },
    );
  }

  function liaison() {
    const rows = panels.liaison.by_unit;
    bars("liaison", rows, [
      { name: words.coverage, data: rows.map((row) => row.coverage) },
    ], { max: 100 });
    if (charts.liaison) {
      charts.liaison.setOption({ color: [RISK_COLOURS.green] });
    }
  }

  function innovation() {
    const rows = panels.innovation.by_unit;
    bars("innovation", rows, [{ name: words.points, data: rows.map((row) => row.points) }]);
  }

  [assessment, objectives, supervision, cases, referrals, liaison, innovation].forEach((draw) => draw());
  window.addEventListener("resize", () => Object.values(charts).forEach((chart) => chart.resize()));
})();
