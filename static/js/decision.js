/* The customer's decision form (BR-04), asked step by step: a step shows when the answer it
   depends on has one of its values (data-show-when, data-show-values). The server renders the
   same steps and applies the same rules, so the form works without this script too. The
   error summary at the top takes the focus; its links move the focus to their field. */
(function () {
  "use strict";

  function answer(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var field = form.querySelector('[name="' + name + '"]:not([type="radio"])');
    return field ? field.value : "";
  }

  function update(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (step) {
      var values = step.getAttribute("data-show-values").split(" ");
      step.hidden = values.indexOf(answer(form, step.getAttribute("data-show-when"))) === -1;
    });
  }

  document.querySelectorAll("form[data-steps]").forEach(function (form) {
    form.addEventListener("change", function () { update(form); });
    update(form);
  });

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#"]');
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target) { return; }
      event.preventDefault();
      target.scrollIntoView({ block: "center" });
      target.focus();
    });
  }
}());
