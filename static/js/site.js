// Behaviour shared by every page, kept out of the templates: the Content-Security-Policy allows no inline script.
// <form data-confirm="…">: ask before submitting (deletions, deactivations, lifting a lock).
document.addEventListener("submit", function (event) {
  const message = event.target.dataset.confirm;
  if (message && !window.confirm(message)) event.preventDefault();
});
// <button data-print>: print the page.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
