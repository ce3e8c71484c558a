// Behaviour shared by every page, kept out of the templates: the Content-Security-Policy allows no inline script.
// What cannot be undone is confirmed on the server's page (core.confirm), not in a browser dialog.
// <button data-print>: print the page.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
// <button data-all-columns> on phones: show the columns a narrow screen hides in the table of its section.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-all-columns]");
  if (!button) return;
  const shown = button.closest("section").classList.toggle("all-columns");
  button.setAttribute("aria-pressed", String(shown));
  button.textContent = shown ? "只显示总分" : "显示全部列";
});
// htmx (award picking, a bulletin's catalogues): a request that was redirected (the session ended, a password must
// be changed first) goes to that page instead of having it swapped into this one.
document.body.addEventListener("htmx:beforeSwap", function (event) {
  const xhr = event.detail.xhr;
  const asked = new URL(event.detail.requestConfig.path, window.location.href).pathname;
  if (xhr.responseURL && new URL(xhr.responseURL).pathname !== asked) {
    event.detail.shouldSwap = false;
    window.location.assign(xhr.responseURL);
  }
});
