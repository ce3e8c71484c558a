// A published bulletin's catalogues of adopted items are sent folded and empty; htmx loads one's rows when it is
// opened (templates/bulletins/_notice.html). What htmx leaves to the page:

// A link to a catalogue (the officer's 查看本单位被采用信息, or the page opened at #catalogue-…) opens it, which loads it.
function openCatalogue(hash) {
  const target = hash && document.getElementById(decodeURIComponent(hash.slice(1)));
  if (target && target.matches("details.notice-catalogue")) target.open = true;
}

document.addEventListener("click", function (event) {
  const link = event.target.closest('a[href^="#catalogue-"]');
  if (link) openCatalogue(link.hash);
});

// After htmx has set the page up (its own listener came first), so that the opening is seen.
document.addEventListener("DOMContentLoaded", function () {
  openCatalogue(window.location.hash);
});

// Rows that did not come: say so next to the catalogue's link, which still opens them as a page of their own.
function catalogueMessage(event, text) {
  const holder = event.detail.elt;
  if (!holder.matches(".catalogue-rows")) return;
  holder.querySelector(".catalogue-message")?.remove();
  const line = document.createElement("span");
  line.className = "catalogue-message text-danger ms-2";
  line.textContent = text;
  holder.appendChild(line);
}

document.body.addEventListener("htmx:responseError", function (event) {
  catalogueMessage(event, "目录没有载入（错误代码 " + event.detail.xhr.status + "），请刷新页面后重试。");
});

document.body.addEventListener("htmx:sendError", function (event) {
  catalogueMessage(event, "无法连接服务器，目录没有载入，请稍后重试。");
});
