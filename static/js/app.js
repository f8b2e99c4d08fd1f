/* Small behaviours every page may use, declared in the templates with data-
   attributes: the pages keep to a Content-Security-Policy without
   'unsafe-inline' (config/settings/base.py), so no template carries an
   onclick= handler, an inline <script> or a style= attribute
   (tests/test_csp.py). Loaded at the end of templates/base.html.

   <button data-print>                 prints the page
   <form data-confirm="Question?">     asks before submitting
   <div data-width-percent="42">       is drawn 42% wide (a progress bar):
                                       a script may set element.style under
                                       CSP, a template may not write style=
   <button data-insert-figure="{x}">   puts {x} at the cursor of the last
                                       <textarea data-figure-target> written
                                       in (a document's figures) */
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

  // The text a figure goes into: the last one focused, else the first.
  let figureTarget = null;
  document.addEventListener("focusin", function (event) {
    if (event.target.matches("textarea[data-figure-target]")) figureTarget = event.target;
  });
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-insert-figure]");
    if (!button) return;
    const target = figureTarget || document.querySelector("textarea[data-figure-target]");
    if (!target) return;
    target.setRangeText(button.dataset.insertFigure, target.selectionStart, target.selectionEnd, "end");
    target.focus();
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
