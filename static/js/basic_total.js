// The basic-work entry's running total: adds up the items chosen so far (the server checks again on saving).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form[data-basic-form]");
  if (!form) return;
  const output = form.querySelector("[data-basic-total]");
  const items = Array.from(form.querySelectorAll("select[data-basic-item]"));
  const allZero = form.querySelector("input[name=all_zero]");
  const update = () => {
    if (allZero && allZero.checked) {
      output.textContent = "0.00分（各项均记0分）";
      return;
    }
    const chosen = items.filter((item) => item.value !== "");
    const total = chosen.reduce((sum, item) => sum + Number(item.value), 0);
    const left = items.length - chosen.length;
    output.textContent = `${total.toFixed(2)}分` + (left ? `（还有${left}项未选择）` : "（已全部选择）");
  };
  form.addEventListener("change", update);
  update();
});
