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
