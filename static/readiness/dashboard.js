/* Charts of the province dashboard, drawn from the tables beside them
   (templates/readiness/dashboard.html): each <table data-chart="canvas-id">
   gives the labels (row headers), the series (column headers with
   data-color) and the values (cells with data-value). The tables stay the
   accessible source; without JavaScript they are all there is. */
(function () {
  "use strict";
  const charts = {};

  function draw(table) {
    const canvas = document.getElementById(table.dataset.chart);
    if (!canvas || typeof Chart === "undefined") return;
    const heads = Array.from(table.querySelectorAll("thead th[data-color]"));
    const columns = Array.from(table.querySelectorAll("thead th")).map((th) => th);
    const rows = Array.from(table.querySelectorAll("tbody tr"));
    const labels = rows.map((tr) => tr.querySelector("th").textContent.trim());
    const datasets = heads.map((th) => {
      const index = columns.indexOf(th);
      return {
        label: th.textContent.trim(),
        backgroundColor: th.dataset.color,
        data: rows.map((tr) => {
          const cell = tr.children[index];
          return cell ? Number(cell.dataset.value || 0) : 0;
        }),
      };
    });
    const stacked = table.dataset.chartStacked === "true";
    if (charts[canvas.id]) charts[canvas.id].destroy();
    charts[canvas.id] = new Chart(canvas, {
      type: table.dataset.chartType || "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        indexAxis: rows.length > 8 ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1 } },
        scales: {
          x: { stacked: stacked, beginAtZero: true },
          y: { stacked: stacked, beginAtZero: true },
        },
      },
    });
  }

  function drawAll() {
    document.querySelectorAll("table[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", drawAll);
  // On polling day htmx replaces the dashboard; draw the new figures.
  document.body.addEventListener("htmx:afterSettle", drawAll);
})();
