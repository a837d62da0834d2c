// Roster's only script besides htmx. No inline scripts or handlers: the CSP forbids them.
(function () {
  "use strict";

  // Times are rendered in UTC on the server; show them in the reader's own zone and language.
  function localTimes(root) {
    if (!root || !root.querySelectorAll) return;
    var lang = document.documentElement.lang || undefined;
    var format = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
    // data-local="date": the day alone (compact table columns), in the reader's zone too.
    var dateOnly = new Intl.DateTimeFormat(lang, { year: "numeric", month: "2-digit", day: "2-digit" });
    root.querySelectorAll("time[datetime][data-local]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (isNaN(d.getTime())) return;
      el.textContent = (el.getAttribute("data-local") === "date" ? dateOnly : format).format(d);
      if (el.getAttribute("data-local") === "date") el.title = format.format(d);
    });
  }

  // After htmx swaps in a form with errors, move focus to the summary so screen readers announce it,
  // or, when the form says its error only under the field, to that field (its error is its description);
  // after a success that replaced the form (data-focus), to what replaced it.
  function focusError(root) {
    if (!root || !root.querySelector) return;
    var alert = root.matches && root.matches(".alert-error[tabindex]") ? root : root.querySelector(".alert-error[tabindex]");
    var next = alert || root.querySelector("[aria-invalid=true]") || root.querySelector("[data-focus][tabindex]");
    if (next) next.focus();
  }

  // On a phone the admin tabs scroll sideways: bring the current one into sight (centred), without moving the page.
  function showCurrentTab() {
    var tab = document.querySelector(".admin-nav a[aria-current]");
    var list = tab && tab.closest("ul");
    if (!list || list.scrollWidth <= list.clientWidth) return;
    var offset = tab.getBoundingClientRect().left - list.getBoundingClientRect().left + list.scrollLeft;
    list.scrollLeft = offset - (list.clientWidth - tab.offsetWidth) / 2;
  }

  // The language switch returns to the address the server chose for the page (never a one-time
  // link or a form's POST). When htmx pushes a new address (a search, a filter), it follows it.
  function followPushedUrl(e) {
    var path = e.detail && e.detail.path;
    if (typeof path !== "string" || path.charAt(0) !== "/") return;
    document.querySelectorAll('form.lang-form[action^="/lang/"]').forEach(function (form) {
      var url = new URL(form.getAttribute("action"), location.href);
      url.searchParams.set("next", path);
      form.setAttribute("action", url.pathname + url.search);
    });
  }
  document.addEventListener("htmx:pushedIntoHistory", followPushedUrl);
  document.addEventListener("htmx:replacedHistory", followPushedUrl);

  document.addEventListener("DOMContentLoaded", function () {
    localTimes(document);
    showCurrentTab();
  });
  // htmx:load fires for the page and for every element htmx swaps in.
  document.addEventListener("htmx:load", function (e) {
    localTimes(e.target);
    // A swapped-in navigation (an approval's count) starts scrolled to its beginning again.
    if (e.target && e.target.id === "admin-nav") showCurrentTab();
    if (e.target !== document.body) focusError(e.target);
  });
})();
