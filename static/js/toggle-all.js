// [data-toggle-all] buttons tick or clear every checkbox of their [data-group].
document.querySelectorAll("[data-toggle-all]").forEach(function (button) {
  button.addEventListener("click", function () {
    const boxes = button.closest("[data-group]").querySelectorAll("input[type=checkbox]");
    const all = Array.from(boxes).every(function (b) { return b.checked; });
    boxes.forEach(function (b) { b.checked = !all; });
  });
});
