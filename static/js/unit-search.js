// Unit names suggested as one types into an input with data-choices-url (core/unit_search.py): a thousand units
// are not sent with every page. A search box with data-adds-to (several units) is shown only here, with a script:
// the name picked, or typed and added with 加入 or Enter, becomes a line of its textarea, which the server checks.
// A static file, not an inline script (Content-Security-Policy).
"use strict";
const SEPARATORS = /[\r\n、，,;；]+/;

function addName(input) {
  const area = document.getElementById(input.dataset.addsTo);
  const name = input.value.trim();
  if (!name) return;
  const names = area.value.split(SEPARATORS).map((n) => n.trim()).filter(Boolean);
  if (!names.includes(name)) names.push(name);
  area.value = names.join("\n");
  input.value = "";
  input.focus();
}

document.querySelectorAll("input[data-choices-url]").forEach((input) => {
  const list = document.getElementById(input.getAttribute("list"));
  let timer;
  input.addEventListener("input", (event) => {
    // A suggestion picked from the list arrives whole, not as typing (a plain Event, or a replacement).
    const picked = !(event instanceof InputEvent) || event.inputType === "insertReplacementText";
    if (input.dataset.addsTo && picked && Array.from(list.options).some((o) => o.value === input.value)) {
      addName(input);
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const url = new URL(input.dataset.choicesUrl, window.location.href);
      url.searchParams.set("q", input.value.trim());
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { names } = await response.json();
      list.replaceChildren(...names.map((name) => Object.assign(document.createElement("option"), { value: name })));
    }, 200);
  });
  if (!input.dataset.addsTo) return;
  input.closest("[data-unit-adder]").hidden = false;
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // Enter adds the name; it does not submit the form
      addName(input);
    }
  });
});

document.querySelectorAll("[data-add-unit]").forEach((button) => {
  button.addEventListener("click", () => addName(document.getElementById(`${button.dataset.addUnit}-search`)));
});
