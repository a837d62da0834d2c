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

  // The page's one live region: #flash, in the layout, never swapped itself. A live region that arrives
  // inside swapped content (a count, a success message) is skipped by screen readers, so what such
  // content has to say (data-status, a success alert) is copied into a hidden line of #flash instead.
  // While a modal dialog is open everything outside it is inert, #flash included: the dialog's own
  // live region ([data-live], outside what its forms swap) speaks instead.
  function announcer() {
    var dialog = document.querySelector("dialog[open]");
    var region = (dialog && dialog.querySelector("[data-live]")) || document.getElementById("flash");
    if (!region) return null;
    var line = region.querySelector("[data-announcer]");
    if (!line) {
      line = document.createElement("span");
      line.className = "vh";
      line.setAttribute("data-announcer", "");
      region.appendChild(line);
    }
    return line;
  }
  // Emptied, then filled on the next frame: the same words again ("1–3 of 3" after another search) are
  // read again. What is said before that frame joins it rather than replacing it.
  var queued = [];
  function announce(text) {
    text = (text || "").replace(/\s+/g, " ").trim();
    if (!text) return;
    if (queued.indexOf(text) < 0) queued.push(text);
    if (queued.length > 1) return;
    var line = announcer();
    if (line) line.textContent = "";
    window.requestAnimationFrame(function () {
      var said = queued.join(" ");
      queued = [];
      var now = announcer();
      if (now) now.textContent = said;
    });
  }
  // admin.js says things this way too ("Copied", "3 selected").
  document.addEventListener("roster:announce", function (e) {
    announce(e.detail && e.detail.text);
  });

  function within(roots, selector) {
    for (var i = 0; i < roots.length; i++) {
      var r = roots[i];
      var found = r.matches(selector) ? r : r.querySelector(selector);
      if (found) return found;
    }
    return null;
  }

  function focusable(el) {
    if (!el || !el.isConnected || el.disabled) return false;
    return el.getClientRects().length > 0;
  }

  // Where the focus was when a request started (the button pressed, the link followed), kept with the
  // request: htmx disables the form's button while it runs and then replaces it, and without this
  // the focus ends on <body>.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var a = document.activeElement;
    if (e.detail && a && a !== document.body) e.detail.focusBefore = { el: a, id: a.id, next: a.getAttribute("data-focus-next") };
  });

  // When the swap took the focus away, put it back where the person can go on: the error (focusError
  // did), the same control again (same id), where the control says (Load more: the first new row), the
  // outcome's message, or the heading of the region that changed.
  function restoreFocus(roots, region, before) {
    var a = document.activeElement;
    if (!before || (a && a !== document.body && a.isConnected)) return;
    var same = before.id ? document.getElementById(before.id) : before.el.isConnected ? before.el : null;
    var next =
      within(roots, ".alert-error[tabindex]") ||
      within(roots, "[aria-invalid=true]") ||
      (focusable(same) ? same : null) ||
      (before.next ? within(roots, before.next) : null) ||
      within(roots, ".alert[tabindex], [data-status][tabindex]");
    if (!next && region) {
      next = region.querySelector("h1, h2, h3");
      if (next && !next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    }
    if (next) next.focus();
  }

  // What the new content has to say: its counts and success messages, unless focus is on it already
  // (a screen reader reads what takes focus). Not for an error: it is announced (role=alert) and focused.
  function announceStatus(roots) {
    // Behind an open modal dialog (the table reloading after an account was created in it) nothing is
    // said: it would talk over the dialog's own outcome.
    var dialog = document.querySelector("dialog[open]");
    if (dialog) roots = roots.filter(function (r) {
      return dialog.contains(r);
    });
    if (within(roots, ".alert-error, [aria-invalid=true]")) return;
    var said = [];
    roots.forEach(function (r) {
      var list = [].slice.call(r.querySelectorAll("[data-status], .alert-ok"));
      if (r.matches("[data-status], .alert-ok")) list.unshift(r);
      list.forEach(function (el) {
        if (el !== document.activeElement && said.indexOf(el.textContent) < 0) said.push(el.textContent);
      });
    });
    if (said.length) announce(said.join(" "));
  }

  // One swap settles its new elements one by one (Load more: each row) and its out-of-band parts
  // (the count above the table): gathered, then handled once. `region`: what the swap replaced
  // (found again by its id when it was replaced whole).
  var settled = [];
  var region = null;
  var before = null;
  var pending = false;
  function gather(el) {
    if (el && el.nodeType === 1 && el !== document.body) settled.push(el);
  }
  function afterSettle(el, detail) {
    gather(el);
    var target = detail && detail.target;
    if (target && target.nodeType === 1 && !region) region = target.isConnected ? target : target.id ? document.getElementById(target.id) : null;
    if (detail && detail.focusBefore && !before) before = detail.focusBefore;
    if (!pending) {
      pending = true;
      window.setTimeout(flush, 0);
    }
  }
  function flush() {
    var roots = settled.filter(function (el, i) {
      return el.isConnected && settled.indexOf(el) === i;
    });
    var where = region && region !== document.body ? region : roots[roots.length - 1];
    var focus = before;
    settled = [];
    region = null;
    before = null;
    pending = false;
    if (!roots.length) return;
    restoreFocus(roots, where, focus);
    announceStatus(roots);
  }
  document.addEventListener("htmx:afterSettle", function (e) {
    afterSettle(e.target, e.detail);
  });
  // An out-of-band part swapped by its content alone (the count after Load more) settles no element of
  // its own: gathered here, handled with the swap's settling.
  document.addEventListener("htmx:oobAfterSwap", function (e) {
    gather(e.detail && e.detail.target);
  });

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
    // A page that came back with a form's errors: start at their summary, which lists and links them.
    var error = document.querySelector("main .alert-error[tabindex]");
    if (error) error.focus();
  });
  // htmx:load fires for the page and for every element htmx swaps in.
  document.addEventListener("htmx:load", function (e) {
    localTimes(e.target);
    // A swapped-in navigation (an approval's count) starts scrolled to its beginning again.
    if (e.target && e.target.id === "admin-nav") showCurrentTab();
    if (e.target !== document.body) focusError(e.target);
  });
})();
