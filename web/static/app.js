// unsearch: small enhancements; every page works without this file.
(function () {
  "use strict";

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  // "/" focuses the search box from anywhere, unless the user is typing.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
    var box = document.getElementById("q");
    if (!box) return;
    e.preventDefault();
    box.focus();
    box.select();
  });

  // Document page: mark the target paragraph (also when the hash changes) and flash it once.
  function markTarget() {
    var old = document.querySelectorAll(".para.is-target");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("is-target", "flash");
    var m = /^#p(\d+)$/.exec(window.location.hash);
    if (!m) return;
    var el = document.getElementById("p" + m[1]);
    if (!el) return;
    el.classList.add("is-target", "flash");
  }
  window.addEventListener("hashchange", markTarget);

  document.addEventListener("DOMContentLoaded", function () {
    markTarget();

    // Keep the paragraph anchor when switching the interface language.
    var sw = document.getElementById("ui-switch");
    if (sw) {
      sw.addEventListener("click", function () {
        if (window.location.hash) sw.href = sw.href.split("#")[0] + window.location.hash;
      });
    }

    // On a phone, the filters start folded so the results come first.
    var box = document.querySelector(".facets-box");
    if (box && window.matchMedia && window.matchMedia("(max-width: 760px)").matches) {
      box.removeAttribute("open");
    }
  });
})();
