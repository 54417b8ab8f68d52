// Document page: a "Copy citation" button beside each paragraph (the ¶ link works without it).
(function () {
  "use strict";

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    // Plain http (an intranet server): the old way, through a selected textarea.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "visually-hidden";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      if (ok) { resolve(); } else { reject(new Error("copy failed")); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll(".cite-copy");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
    document.addEventListener("click", function (e) {
      var button = e.target.closest ? e.target.closest(".cite-copy") : null;
      if (!button) return;
      var text = button.getAttribute("data-citation");
      var label = button.textContent;
      copy(text).then(function () {
        button.textContent = button.getAttribute("data-copied");
        button.setAttribute("data-done", "1");
        window.setTimeout(function () { button.textContent = label; }, 2000);
      }, function () {
        window.prompt("", text);
      });
    });
  });
})();
