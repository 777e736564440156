// "Add a row" for the draft editor's formsets: clone the empty form, renumber it.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-formset-add]");
  if (!button) return;
  var prefix = button.getAttribute("data-formset-add");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var template = document.querySelector('template[data-formset-template="' + prefix + '"]');
  var body = document.querySelector('[data-formset-body="' + prefix + '"]');
  var index = parseInt(total.value, 10);
  body.insertAdjacentHTML("beforeend", template.innerHTML.replace(/__prefix__/g, String(index)));
  total.value = String(index + 1);
});
