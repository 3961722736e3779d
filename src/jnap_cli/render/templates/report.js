(function () {
  "use strict";
  // The page is complete without this: it only shows the filter form and hides what does not match.
  var form = document.getElementById("filters");
  if (!form) { return; }
  var query = document.getElementById("filter-query");
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[name='status']"));
  var actions = Array.prototype.slice.call(document.querySelectorAll("article.action"));
  var themes = Array.prototype.slice.call(document.querySelectorAll("section.theme"));
  var count = document.getElementById("filter-count");
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, "\"").replace(/[\u2010-\u2015]/g, "-");
  }
  var texts = actions.map(function (action) { return fold(action.textContent); });
  function apply() {
    var words = fold(query.value).split(/\s+/).filter(function (word) { return word.length > 0; });
    var hidden = {};
    boxes.forEach(function (box) { hidden[box.value] = !box.checked; });
    var shown = 0;
    actions.forEach(function (action, index) {
      var match = !hidden[action.getAttribute("data-status")] && words.every(function (word) {
        return texts[index].indexOf(word) !== -1;
      });
      action.hidden = !match;
      if (match) { shown += 1; }
    });
    themes.forEach(function (theme) {
      theme.hidden = theme.querySelector("article.action:not([hidden])") === null;
    });
    count.textContent = shown === actions.length
      ? "Showing all " + actions.length + " actions."
      : "Showing " + shown + " of " + actions.length + " actions.";
  }
  form.addEventListener("input", apply);
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) { event.preventDefault(); apply(); });
  form.addEventListener("reset", function () { window.setTimeout(apply, 0); });
  form.hidden = false;
  apply();
}());
