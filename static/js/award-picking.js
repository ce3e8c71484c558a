// Award picking in place (templates/awards/_candidates.html, htmx): what htmx leaves to the page.

function pickingMessage(text) {
  const box = document.querySelector("#picking-summary .picking-message");
  if (box) {
    box.textContent = "";
    const line = document.createElement("span");
    line.className = "text-danger fw-semibold";
    line.textContent = text;
    box.appendChild(line);
  }
}

document.body.addEventListener("htmx:responseError", function (event) {
  pickingMessage("操作没有完成（错误代码 " + event.detail.xhr.status + "），请刷新页面后重试。");
});

document.body.addEventListener("htmx:sendError", function () {
  pickingMessage("无法连接服务器，操作没有完成，请稍后重试。");
});
