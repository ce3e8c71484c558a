// Offer only the adoption types the chosen level has (RULES.md Art. 9); the server checks again.
(function () {
  const allowed = JSON.parse(document.getElementById("allowed-types").textContent);
  const level = document.querySelector("[data-adoption-level]");
  const type = document.querySelector("[data-adoption-type]");
  if (!level || !type) return;
  function filter() {
    const types = allowed[level.value];
    for (const option of type.options) {
      option.hidden = !!(types && option.value && !types.includes(option.value));
    }
    if (type.selectedOptions[0] && type.selectedOptions[0].hidden) type.value = "";
  }
  level.addEventListener("change", filter);
  filter();
})();
