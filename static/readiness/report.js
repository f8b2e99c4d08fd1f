/* The report's "Print" button (no inline script: the pages keep to a
   Content-Security-Policy without 'unsafe-inline'). */
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
