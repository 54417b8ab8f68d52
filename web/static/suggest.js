// unsearch: completions under the search box, as the ARIA Authoring Practices'
// "combobox with listbox popup" (list autocomplete, manual selection):
// Down/Up move through the list, Enter searches for the highlighted completion
// (or for the text typed), Escape closes the list, a click picks a completion.
// Requests wait for a pause in typing, a newer one cancels the older, an empty box
// asks nothing, and nothing is asked while an input method is composing (Chinese
// pinyin, Japanese kana): only the composed text, once it is committed.
// Without this file the box is the plain search form.
(function () {
  "use strict";

  var DEBOUNCE_MS = 120;
  var LIMIT = 8;

  function init(wrap) {
    var input = wrap.querySelector("input[type=search]");
    var url = wrap.getAttribute("data-suggest-url");
    if (!input || !url || !window.fetch || !window.AbortController) return;
    var form = input.form;
    var langSelect = form ? form.querySelector("select[name=lang]") : null;
    var listId = input.id + "-listbox";

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", wrap.getAttribute("data-suggest-label") || "Suggestions");
    list.hidden = true;
    wrap.appendChild(list);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var items = [];       // the completions shown: [{text, kind, count}]
    var active = -1;      // the highlighted option, or -1
    var timer = null;
    var inflight = null;  // the AbortController of the request under way
    var composing = false;
    var cache = {};       // "lang\u0000prefix" -> completions (this page's lifetime)

    function isOpen() { return !list.hidden; }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function cancel() {
      if (timer) { clearTimeout(timer); timer = null; }
      if (inflight) { inflight.abort(); inflight = null; }
    }

    function highlight(i) {
      var options = list.children;
      if (active >= 0 && options[active]) {
        options[active].setAttribute("aria-selected", "false");
        options[active].classList.remove("is-active");
      }
      active = i;
      if (i < 0 || !options[i]) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[i].setAttribute("aria-selected", "true");
      options[i].classList.add("is-active");
      input.setAttribute("aria-activedescendant", options[i].id);
      if (options[i].scrollIntoView) options[i].scrollIntoView({block: "nearest"});
    }

    function render(typed, suggestions) {
      items = suggestions;
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (!suggestions.length) { close(); return; }
      var low = typed.toLowerCase();
      suggestions.forEach(function (s, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "suggestion suggestion-" + s.kind;
        li.setAttribute("data-text", s.text);
        // The letters typed stay plain, the completion is bold (as search boxes do).
        if (low && s.text.toLowerCase().indexOf(low) === 0) {
          li.appendChild(document.createTextNode(s.text.slice(0, typed.length)));
          var b = document.createElement("b");
          b.textContent = s.text.slice(typed.length);
          li.appendChild(b);
        } else {
          li.textContent = s.text;
        }
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function request() {
      timer = null;
      var typed = input.value.replace(/^\s+/, "");
      if (!typed.trim()) { cancel(); close(); return; }
      var lang = langSelect ? langSelect.value : "";
      var key = lang + "\u0000" + typed;
      if (cache[key]) { render(typed, cache[key]); return; }
      if (inflight) inflight.abort();
      var controller = new AbortController();
      inflight = controller;
      var q = "?q=" + encodeURIComponent(typed) + "&limit=" + LIMIT +
        (lang ? "&lang=" + encodeURIComponent(lang) : "");
      fetch(url + q, {signal: controller.signal, headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {suggestions: []}; })
        .then(function (body) {
          if (inflight === controller) inflight = null;
          var found = body.suggestions || [];
          cache[key] = found;
          // Only what answers the box as it is now, and not while composing.
          if (!composing && input.value.replace(/^\s+/, "") === typed && document.activeElement === input) {
            render(typed, found);
          }
        })
        .catch(function () { /* aborted by a newer request, or offline: no list */ });
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      if (!input.value.trim()) { cancel(); close(); return; }
      timer = setTimeout(request, DEBOUNCE_MS);
    }

    function pick(i) {
      var s = items[i];
      if (!s) return;
      input.value = s.text;
      cancel();
      close();
      if (form) {
        if (form.requestSubmit) form.requestSubmit(); else form.submit();
      }
    }

    input.addEventListener("compositionstart", function () { composing = true; cancel(); });
    input.addEventListener("compositionend", function () { composing = false; schedule(); });
    input.addEventListener("input", function (e) {
      if (composing || e.isComposing) return;
      schedule();
    });
    input.addEventListener("keydown", function (e) {
      // 229: a key the input method is handling (Enter that commits pinyin, arrows
      // that move through its candidates): never ours.
      if (composing || e.isComposing || e.keyCode === 229) return;
      if (e.altKey && e.key !== "ArrowDown") return;
      switch (e.key) {
        case "ArrowDown":
          e.preventDefault();
          if (!isOpen()) {
            if (items.length && input.value.trim()) render(input.value.replace(/^\s+/, ""), items);
            else schedule();
            if (!e.altKey && items.length) highlight(0);
            return;
          }
          highlight(active + 1 < items.length ? active + 1 : 0);
          return;
        case "ArrowUp":
          if (!isOpen()) return;
          e.preventDefault();
          highlight(active > 0 ? active - 1 : items.length - 1);
          return;
        case "Enter":
          if (isOpen() && active >= 0) {
            e.preventDefault();
            pick(active);
          } else {
            cancel();
            close();  // the form submits the text as typed
          }
          return;
        case "Escape":
          if (isOpen()) {
            e.preventDefault();
            cancel();
            close();
          }
          return;
        default:
          return;
      }
    });
    input.addEventListener("blur", function () { cancel(); close(); });
    if (langSelect) langSelect.addEventListener("change", function () { items = []; });

    // mousedown would move the focus out of the box (closing the list) before the click.
    list.addEventListener("mousedown", function (e) { e.preventDefault(); });
    list.addEventListener("click", function (e) {
      var li = e.target.closest ? e.target.closest("[role=option]") : null;
      if (!li) return;
      pick(Array.prototype.indexOf.call(list.children, li));
    });
    list.addEventListener("mousemove", function (e) {
      var li = e.target.closest ? e.target.closest("[role=option]") : null;
      if (li) highlight(Array.prototype.indexOf.call(list.children, li));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var wraps = document.querySelectorAll(".q-wrap[data-suggest-url]");
    for (var i = 0; i < wraps.length; i++) init(wraps[i]);
  });
})();
