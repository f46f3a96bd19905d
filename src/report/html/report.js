// Filters for the scenario table and the details: by verdict, section,
// level and text. A URL fragment (#verdict=fail&section=...&open=ID)
// applies them on load, and opens one scenario's transcript.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("table.scenarios tbody tr"));
  var articles = {};
  Array.prototype.forEach.call(document.querySelectorAll("article.scenario"), function (a) {
    articles[a.id] = a;
  });
  function matches(row, f) {
    var verdict = row.getAttribute("data-verdict");
    if (f.verdict === "not-pass" && verdict === "pass") return false;
    if (f.verdict && f.verdict !== "not-pass" && verdict !== f.verdict) return false;
    if (f.section && row.getAttribute("data-section") !== f.section) return false;
    if (f.level && row.getAttribute("data-level") !== f.level) return false;
    if (f.text && row.getAttribute("data-text").indexOf(f.text.toLowerCase()) < 0) return false;
    return true;
  }
  function apply() {
    var f = {
      verdict: form.elements.verdict.value,
      section: form.elements.section.value,
      level: form.elements.level.value,
      text: form.elements.text.value.trim()
    };
    var shown = 0;
    rows.forEach(function (row) {
      var visible = matches(row, f);
      row.hidden = !visible;
      var id = row.querySelector("a").getAttribute("href").slice(1);
      if (articles[id]) articles[id].hidden = !visible;
      if (visible) shown += 1;
    });
    form.elements.shown.value = shown + " of " + rows.length + " shown";
  }
  function fromFragment() {
    var params = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (pair) {
      var kv = pair.split("=");
      if (kv[0]) params[decodeURIComponent(kv[0])] = decodeURIComponent(kv[1] || "");
    });
    ["verdict", "section", "level", "text"].forEach(function (name) {
      if (params[name] !== undefined) form.elements[name].value = params[name];
    });
    if (params.open && articles[params.open]) {
      var details = articles[params.open].querySelector("details");
      if (details) details.open = true;
    }
  }
  form.hidden = false;
  form.addEventListener("input", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  fromFragment();
  apply();
  window.addEventListener("hashchange", function () { fromFragment(); apply(); });
})();
