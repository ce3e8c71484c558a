// Unit names suggested as one types into an input with data-choices-url (submissions.forms.UnitSearchInput):
// a thousand units are not sent with every page. A static file, not an inline script (Content-Security-Policy).
"use strict";
document.querySelectorAll("input[data-choices-url]").forEach((input) => {
  const list = document.getElementById(input.getAttribute("list"));
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const url = new URL(input.dataset.choicesUrl, window.location.href);
      url.searchParams.set("q", input.value.trim());
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const { units } = await response.json();
      list.replaceChildren(...units.map((name) => Object.assign(document.createElement("option"), { value: name })));
    }, 200);
  });
});
