// The admin pages' small helpers: row selection, the create dialog, copying a setup link.
// Everything works without this file; it only makes it quicker. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  function rowBoxes() {
    return document.querySelectorAll('input[type="checkbox"][name="ids"][form="users-bulk"]');
  }

  // "3 selected", and the bulk buttons only when something is selected.
  function updateSelection() {
    var boxes = rowBoxes();
    var count = 0;
    boxes.forEach(function (b) {
      if (b.checked) count++;
    });
    var label = document.querySelector("[data-bulk-count]");
    if (label) label.textContent = (label.getAttribute("data-template") || "{count}").replace("{count}", String(count));
    document.querySelectorAll("[data-needs-selection]").forEach(function (btn) {
      btn.disabled = count === 0;
    });
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = count > 0 && count === boxes.length;
      all.indeterminate = count > 0 && count < boxes.length;
    }
  }

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (!(t instanceof window.HTMLInputElement)) return;
    if (t.hasAttribute("data-select-all")) {
      rowBoxes().forEach(function (b) {
        b.checked = t.checked;
      });
      updateSelection();
    } else if (t.name === "ids" && t.getAttribute("form") === "users-bulk") {
      updateSelection();
    }
  });

  // A dialog htmx brings in opens as a modal; closed, it goes away (a new one comes with the next click).
  function openDialogs(root) {
    if (!root || !root.querySelectorAll) return;
    var list = root.matches && root.matches("dialog[data-modal]") ? [root] : root.querySelectorAll("dialog[data-modal]");
    list.forEach(function (d) {
      if (d.open || typeof d.showModal !== "function") return;
      d.addEventListener("close", function () {
        d.remove();
      });
      d.showModal();
    });
  }

  document.addEventListener("click", function (e) {
    var btn = e.target instanceof window.Element ? e.target.closest("[data-copy]") : null;
    if (!btn) return;
    var input = document.querySelector(btn.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    var done = function () {
      btn.textContent = btn.getAttribute("data-copied") || btn.textContent;
    };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () {});
    else if (document.execCommand("copy")) done();
  });

  document.addEventListener("DOMContentLoaded", updateSelection);
  document.addEventListener("htmx:load", function (e) {
    openDialogs(e.target);
    updateSelection();
  });
})();
