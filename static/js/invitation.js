// The invitation form asks for the organisation only for the roles that belong to one
// (customer users, an auditor engaged by a customer). Without this script the field
// stays visible and the server applies the same rule.
(function () {
  "use strict";
  var role = document.getElementById("id_role");
  var field = document.getElementById("field-customer");
  var select = document.getElementById("id_customer");
  if (!role || !field || !select) {
    return;
  }
  var roles = (role.getAttribute("data-organisation-roles") || "").split(" ");
  function update() {
    var asked = roles.indexOf(role.value) !== -1;
    field.hidden = !asked;
    if (!asked && select.options.length > 1) {
      select.value = "";
    }
  }
  role.addEventListener("change", update);
  update();
})();
