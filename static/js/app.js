/* Small behaviours every page may use, declared in the templates with data-
   attributes: the pages keep to a Content-Security-Policy without
   'unsafe-inline' (config/settings/base.py), so no template carries an
   onclick= handler, an inline <script> or a style= attribute
   (tests/test_csp.py). Loaded at the end of templates/base.html.

   <button data-print>                 prints the page
   <form data-confirm="Question?">     asks before submitting
   <div data-width-percent="42">       is drawn 42% wide (a progress bar):
                                       a script may set element.style under
                                       CSP, a template may not write style= */
(function () {
  "use strict";

  // Delegated, so that what htmx swaps in behaves the same.
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  function setWidths(root) {
    root.querySelectorAll("[data-width-percent]").forEach(function (element) {
      const percent = Math.min(100, Math.max(0, Number(element.dataset.widthPercent) || 0));
      element.style.width = percent + "%";
    });
  }

  setWidths(document);
  document.addEventListener("htmx:afterSettle", function (event) {
    setWidths(event.target);
  });
})();
