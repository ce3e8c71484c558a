// [data-toggle-all] buttons tick or clear every checkbox of their [data-group]. Listening on the document
// keeps buttons working that arrive later (the award page swaps its sections in place).
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-toggle-all]");
  if (!button) return;
  const boxes = button.closest("[data-group]").querySelectorAll("input[type=checkbox]");
  const all = Array.from(boxes).every(function (b) { return b.checked; });
  boxes.forEach(function (b) { b.checked = !all; });
});
