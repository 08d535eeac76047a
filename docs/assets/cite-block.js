/* "Cite this page" and "Cite this section". The blocks, every format of them, are built with the
   site (scripts/mdcite/citeblock.py); here they only get what the build cannot know: the reader's
   access date, the newest dated edition that scripts/publish.py offers in the page's block, and
   Copy buttons (which could do nothing without this script). A section's edition formats are the
   page's, written once in the page's block, with the section's own title and key, each taken as
   text from the same format of the section's block, where the build wrote it by that format's
   rules. Everything written here is text (textContent) or a copy of the built markup: nothing
   read from the page ever becomes markup. Same-origin, no dependencies. */
(function () {
  "use strict";
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  var COPY_LABELS = { chicago: "the Chicago citation", apa: "the APA citation", bibtex: "the BibTeX entry",
    ris: "the RIS record", csl: "the CSL-JSON item" };

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* A date as a format writes it (data-style of a slot). */
  function written(style, d) {
    var y = d.getFullYear(), m = d.getMonth(), day = d.getDate();
    if (style === "dmy") return day + " " + MONTHS[m] + " " + y;
    if (style === "mdy") return MONTHS[m] + " " + day + ", " + y;
    if (style === "md") return MONTHS[m] + " " + day;
    if (style === "year") return String(y);
    if (style === "parts") return y + ", " + (m + 1) + ", " + day;
    if (style === "ris") return y + "/" + pad(m + 1) + "/" + pad(day);
    return y + "-" + pad(m + 1) + "-" + pad(day);
  }

  /* "2026-12-01" as that calendar day where the reader is (not midnight UTC). */
  function day(iso) {
    var p = (iso || "").split("-");
    return new Date(parseInt(p[0], 10), parseInt(p[1], 10) - 1, parseInt(p[2], 10));
  }

  function fillDates(root) {
    var today = new Date();
    root.querySelectorAll(".cite-block .cite-accessed").forEach(function (el) {
      el.textContent = written(el.getAttribute("data-style"), today);
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

  /* The text of a block's own part (title or key) in one of its living formats, or null. */
  function ownPart(block, format, name) {
    var found = null;
    block.querySelectorAll(":scope > .cite-formats > dd > .cite-text").forEach(function (text) {
      if (text.getAttribute("data-format") !== format) return;
      text.querySelectorAll("[data-part]").forEach(function (part) {
        if (part.getAttribute("data-part") === name) found = part.textContent;
      });
    });
    return found;
  }

  /* An edition's formats for a block: the page block's built template, its slots filled from the
     offer's data-url, data-date, data-label, data-version and data-edition and, for a section,
     its parts from the section's own formats (none offered if one is missing: never a section's
     address with the page's title). */
  function editionFormats(page, block, offer) {
    var template = page.querySelector("template.cite-edition-template");
    if (!template) return null;
    var formats = template.content.cloneNode(true);
    formats.querySelectorAll(".cite-slot").forEach(function (slot) {
      var value = offer.getAttribute("data-" + slot.getAttribute("data-slot")) || "";
      var style = slot.getAttribute("data-style");
      slot.textContent = style ? written(style, day(value)) : value;
    });
    if (block === page) return formats;
    var whole = true;
    formats.querySelectorAll("[data-part]").forEach(function (part) {
      var format = part.closest("[data-format]").getAttribute("data-format");
      var own = ownPart(block, format, part.getAttribute("data-part"));
      if (own === null) whole = false;
      else part.textContent = own;
    });
    return whole ? formats : null;
  }

  /* Each section's block gets the page block's wording of the version (an edition rewrites it)
     and, when the newest edition has that section, its offer, with the section's address; then
     every offer its formats. */
  function editions(root) {
    var page = root.querySelector("#cite-this-page");
    if (!page) return;
    var version = page.querySelector(".cite-version");
    var offer = page.querySelector(".cite-edition");
    root.querySelectorAll("details.cite-section").forEach(function (block) {
      var id = block.getAttribute("data-section");
      var formats = block.querySelector(".cite-formats");
      if (version && !block.querySelector(".cite-version")) block.insertBefore(version.cloneNode(true), formats);
      if (!offer || block.querySelector(".cite-edition")) return;
      if ((" " + offer.getAttribute("data-anchors") + " ").indexOf(" " + id + " ") < 0) return;
      var own = offer.cloneNode(true);
      var address = offer.getAttribute("data-url") + "#" + id;
      own.setAttribute("data-url", address);
      var link = own.querySelector("a.cite-edition-link");
      if (link) {
        link.setAttribute("href", link.getAttribute("href").split("#")[0] + "#" + id);
        link.textContent = address;
      }
      block.appendChild(own);
    });
    root.querySelectorAll(".cite-block .cite-edition").forEach(function (ed) {
      if (ed.querySelector(".cite-edition-formats")) return;
      var formats = editionFormats(page, ed.closest(".cite-block"), ed);
      if (formats) ed.appendChild(formats);
    });
  }

  /* A Copy button after each citation, named for what it copies. */
  function copyButtons(root) {
    root.querySelectorAll(".cite-block .cite-formats > dd > .cite-text").forEach(function (text) {
      var next = text.nextElementSibling;
      if (next && next.classList.contains("cite-copy")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cite-copy md-button";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy " + (COPY_LABELS[text.getAttribute("data-format")] || "the citation")
        + (text.closest(".cite-edition-formats") ? " of this edition" : ""));
      text.after(button);
    });
  }

  document.addEventListener("click", function (ev) {
    var button = ev.target.closest ? ev.target.closest(".cite-block .cite-copy") : null;
    if (button) copy(button);
  });

  function setup() {
    editions(document);
    copyButtons(document);
    fillDates(document);
  }

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else {
    document.addEventListener("DOMContentLoaded", setup);
  }
})();
