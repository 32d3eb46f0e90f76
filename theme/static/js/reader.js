/* Reader preferences for the archive. Pages are complete without this script; it adds:
 * - large type (大字版): a button in the header, remembered across pages in localStorage and
 *   applied here, in <head>, before the page is painted, so the text never jumps;
 * - the print date in the printed footer (without the script, a blank to fill in by hand),
 *   and the page's address and that date at the foot of every printed sheet;
 * - the table of contents of a long document as a bar that stays at hand on a narrow screen;
 * - the citation's 复制引文 button (without the script the citation is selected by one click).
 * Loaded as a file (no inline script): the site runs under script-src 'self'. */
(function () {
  "use strict";

  var KEY = "wzArchive.largeType";
  var root = document.documentElement;
  var narrow = window.matchMedia("(max-width: 63.99rem)");

  function stored() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (e) {
      return false; // storage disabled: the mode still works for this page
    }
  }

  function store(on) {
    try {
      if (on) {
        window.localStorage.setItem(KEY, "1");
      } else {
        window.localStorage.removeItem(KEY);
      }
    } catch (e) {
      /* not remembered, nothing else lost */
    }
  }

  function apply(on) {
    root.classList.toggle("large-type", on);
    var buttons = document.querySelectorAll(".text-size-toggle");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
    }
  }

  // Before the body exists: the class is in place for the first paint.
  root.classList.add("js");
  apply(stored());

  function today() {
    var d = new Date();
    return d.getFullYear() + "年" + (d.getMonth() + 1) + "月" + d.getDate() + "日";
  }

  function cssString(text) {
    return '"' + text.replace(/["\\]/g, "\\$&") + '"';
  }

  function stampPrintDate() {
    var date = today();
    var slots = document.querySelectorAll("[data-print-date]");
    for (var i = 0; i < slots.length; i++) {
      slots[i].textContent = date;
    }
    // The footer of every printed sheet (site.css, @page): the page's address and the date.
    var canonical = document.querySelector('link[rel="canonical"]');
    var address = canonical ? canonical.href : window.location.href;
    root.style.setProperty("--print-footer", cssString("本页网址：" + address + "　打印日期：" + date));
  }

  function setUpToc() {
    var tocs = document.querySelectorAll(".toc details");
    for (var i = 0; i < tocs.length; i++) {
      var details = tocs[i];
      // On a wide screen the contents sit beside the text: open them.
      if (!narrow.matches) {
        details.open = true;
      }
      // On a narrow screen the contents cover the text while open: close after a choice.
      details.addEventListener("click", function (event) {
        var link = event.target.closest && event.target.closest("a");
        if (link && narrow.matches) {
          this.open = false;
        }
      });
    }
  }

  function setUpCopy() {
    var buttons = document.querySelectorAll("[data-copy]");
    for (var i = 0; i < buttons.length; i++) {
      var button = buttons[i];
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source) continue;
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = document.getElementById(this.getAttribute("data-copy")).textContent;
        var self = this;
        var done = function () { self.textContent = "已复制"; };
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(text).then(done, function () { select(self); });
        } else {
          select(self);
        }
      });
    }
  }

  // No clipboard access: select the citation, for Ctrl+C.
  function select(button) {
    var range = document.createRange();
    range.selectNodeContents(document.getElementById(button.getAttribute("data-copy")));
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    button.textContent = "已选中，请按 Ctrl+C 复制";
  }

  function setUp() {
    var buttons = document.querySelectorAll(".text-size-toggle");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        var on = !root.classList.contains("large-type");
        apply(on);
        store(on);
      });
    }
    apply(root.classList.contains("large-type"));
    stampPrintDate();
    setUpToc();
    setUpCopy();
  }

  // Another tab switched the mode: follow it.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) {
      apply(event.newValue === "1");
    }
  });
  window.addEventListener("beforeprint", stampPrintDate);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
