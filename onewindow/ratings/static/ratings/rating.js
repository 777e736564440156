/* Rating forms: the reasons and the comment show once a bad level is chosen.
   The window tablet: back to the welcome screen after a minute without a touch, or at "Skip". */
(function () {
  if (window.owRating) return;
  window.owRating = true;

  function sync(form) {
    var bad = form.querySelector('input[name="level"][data-bad]:checked');
    var part = form.querySelector("[data-bad-part]");
    if (part) part.hidden = !bad;
  }
  function syncAll(root) {
    (root || document).querySelectorAll("[data-rating-form]").forEach(sync);
  }
  document.addEventListener("change", function (e) {
    var form = e.target.closest && e.target.closest("[data-rating-form]");
    if (form) sync(form);
  });

  var timer = null;
  function backToIdle(skip) {
    var url = document.body.dataset.actUrl;
    if (!url || !window.htmx) return;
    htmx.ajax("GET", url + "?idle=1&skip=" + encodeURIComponent(skip || ""), { target: "#screen", swap: "innerHTML" });
  }
  function armTimeout() {
    clearTimeout(timer);
    var act = document.getElementById("tablet-act");
    if (!act) return;
    var seconds = parseInt(act.dataset.resetAfter || "60", 10);
    timer = setTimeout(function () { backToIdle(act.dataset.event); }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input"].forEach(function (name) {
    document.addEventListener(name, function () { if (timer) armTimeout(); }, true);
  });
  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("[data-skip]")) {
      var act = document.getElementById("tablet-act");
      clearTimeout(timer); timer = null;
      backToIdle(act && act.dataset.event);
    }
  });
  document.addEventListener("htmx:afterSettle", function (e) { syncAll(e.target); armTimeout(); });
  document.addEventListener("DOMContentLoaded", function () { syncAll(); armTimeout(); });
  if (document.readyState !== "loading") { syncAll(); }
})();
