/* "Cite this page / this section": fill in the reader's access date, copy buttons, and a
   per-section citation built from the page's own cite block. Same-origin, no dependencies. */
(function () {
  "use strict";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function accessed(style, d) {
    if (style === "dmy") return d.getDate() + " " + MONTHS[d.getMonth()] + " " + d.getFullYear();
    if (style === "mdy") return MONTHS[d.getMonth()] + " " + d.getDate() + ", " + d.getFullYear();
    if (style === "ris") return d.getFullYear() + "/" + pad(d.getMonth() + 1) + "/" + pad(d.getDate());
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate());
  }

  function fillDates(root) {
    var today = new Date();
    root.querySelectorAll(".cite-accessed").forEach(function (el) {
      el.textContent = accessed(el.getAttribute("data-style"), today);
    });
  }

  function copy(button) {
    var text = button.parentElement.querySelector(".cite-text").textContent;
    var done = function () {
      var old = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = old; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, done);
    } else {
      var area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy"); } catch (e) { /* nothing to do */ }
      area.remove();
      done();
    }
  }

  /* A section's citation: the page block with the section's title and #anchor. */
  function sectionBlock(pageBlock, heading) {
    var block = pageBlock.cloneNode(true);
    var id = heading.id;
    var title = heading.textContent.replace(/[¶#]\s*$/, "").trim();
    var pageTitle = pageBlock.getAttribute("data-title");
    var url = pageBlock.getAttribute("data-url") + "#" + id;
    block.removeAttribute("id");
    block.classList.add("cite-section");
    block.querySelector("summary").textContent = "Cite this section";
    block.querySelectorAll(".cite-text").forEach(function (el) {
      var html = el.innerHTML;
      html = html.split(pageBlock.getAttribute("data-url")).join(url);
      html = html.split("“" + pageTitle + ".”").join("“" + pageTitle + ": " + title + ".”");
      html = html.split("<em>" + pageTitle + "</em>").join("<em>" + pageTitle + ": " + title + "</em>");
      html = html.split("title        = {" + pageTitle + "}").join("title        = {" + pageTitle + ": " + title + "}");
      html = html.split("TI  - " + pageTitle).join("TI  - " + pageTitle + ": " + title);
      html = html.split("{" + pageBlock.getAttribute("data-key") + ",").join("{" + pageBlock.getAttribute("data-key") + "-" + id + ",");
      el.innerHTML = html;
    });
    var note = block.querySelector(".cite-note");
    if (note) note.remove();
    return block;
  }

  function setup(root) {
    var pageBlock = root.querySelector("#cite-this-page");
    if (!pageBlock) return;
    root.querySelectorAll(".md-content h2[id^='sec-'], .md-content h3[id^='sec-']").forEach(function (h) {
      if (h.nextElementSibling && h.nextElementSibling.classList.contains("cite-section")) return;
      h.insertAdjacentElement("afterend", sectionBlock(pageBlock, h));
    });
    fillDates(root);
    root.querySelectorAll(".cite-copy").forEach(function (b) {
      b.addEventListener("click", function () { copy(b); });
    });
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(function () { setup(document); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { setup(document); });
  }
})();
