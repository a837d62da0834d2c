// The admin pages' small helpers: row selection, the create dialog, copying a setup link.
// Everything works without this file; it only makes it quicker. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  document.documentElement.classList.add("js");

  // Said through the page's live region (#flash, app.js): a changed label or button text is not read out.
  function announce(text) {
    document.dispatchEvent(new window.CustomEvent("roster:announce", { detail: { text: text } }));
  }

  function rowBoxes() {
    return document.querySelectorAll('input[type="checkbox"][name="ids"][form="users-bulk"]');
  }

  // "3 selected", and the bulk buttons only when something is selected. `say`: read the count out (a box was ticked).
  function updateSelection(say) {
    var boxes = rowBoxes();
    var count = 0;
    boxes.forEach(function (b) {
      if (b.checked) count++;
    });
    var label = document.querySelector("[data-bulk-count]");
    if (label) {
      label.textContent = (label.getAttribute("data-template") || "{count}").replace("{count}", String(count));
      if (say === true) announce(label.textContent);
    }
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
      updateSelection(true);
    } else if (t.name === "ids" && t.getAttribute("form") === "users-bulk") {
      updateSelection(true);
    }
  });

  // A dialog htmx brings in opens as a modal; closed, it goes away (a new one comes with the next click)
  // and focus goes back to what opened the first one ("New account"): a dialog opened from inside the
  // last one ("Create another") would hand focus back to a button that is gone.
  var opener = null;
  function openDialogs(root) {
    if (!root || !root.querySelectorAll) return;
    var list = root.matches && root.matches("dialog[data-modal]") ? [root] : root.querySelectorAll("dialog[data-modal]");
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected && !active.closest("dialog")) opener = active;
    list.forEach(function (d) {
      if (d.open || typeof d.showModal !== "function") return;
      d.addEventListener("close", function () {
        d.remove();
        if (opener && opener.isConnected && !document.querySelector("dialog[open]")) opener.focus();
      });
      d.showModal();
    });
  }

  document.addEventListener("click", function (e) {
    var btn = e.target instanceof window.Element ? e.target.closest("[data-copy]") : null;
    if (!btn) return;
    var input = document.querySelector(btn.getAttribute("data-copy"));
    if (!input) return;
    // The button says "Copied" and keeps the focus; the words are read out too.
    var done = function () {
      btn.textContent = btn.getAttribute("data-copied") || btn.textContent;
      btn.focus();
      announce(btn.textContent);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {});
    } else {
      // The old way copies the selection, which moves the focus to the field: done() brings it back.
      input.select();
      if (document.execCommand("copy")) done();
    }
  });

  document.addEventListener("DOMContentLoaded", updateSelection);
  document.addEventListener("htmx:load", function (e) {
    openDialogs(e.target);
    updateSelection();
  });
})();
