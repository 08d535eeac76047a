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

  /* "Download these works": cut this page's entries out of the site's own export files. */
  var MIME = { bib: "application/x-bibtex", ris: "application/x-research-info-systems",
    json: "application/vnd.citationstyles.csl+json" };

  function pick(text, ext, wanted) {
    if (ext === "json") {
      return JSON.stringify(JSON.parse(text).filter(function (i) { return wanted.has(i.id); }), null, 2) + "\n";
    }
    var parts = ext === "ris" ? text.split(/\n(?=TY {2}- )/) : text.split(/\n(?=@)/);
    var keyOf = ext === "ris"
      ? function (r) { var m = r.match(/^ID {2}- (.+)$/m); return m && m[1].trim(); }
      : function (e) { var m = e.match(/^@\w+\{([^,]+),/); return m && m[1].trim(); };
    return parts.filter(function (p) { return wanted.has(keyOf(p.trim())); })
      .map(function (p) { return p.trim() + "\n"; }).join("\n");
  }

  function saveWorks(button) {
    var box = button.closest(".reference-downloads");
    var ext = button.getAttribute("data-format");
    var wanted = new Set(box.getAttribute("data-keys").split(" "));
    var source = new URL(box.getAttribute("data-root") + "references." + ext, window.location.href);
    fetch(source).then(function (r) { return r.text(); }).then(function (text) {
      var blob = new Blob([pick(text, ext, wanted)], { type: MIME[ext] + ";charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = box.getAttribute("data-stem") + "." + ext;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
    });
  }

  function setup(root) {
    root.querySelectorAll(".reference-download").forEach(function (b) {
      b.addEventListener("click", function () { saveWorks(b); });
    });
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
