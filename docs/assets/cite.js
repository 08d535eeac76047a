/* Reference previews for in-text citations, and the "download these works" buttons of a page's
   reference list. ("Cite this page" and "Cite this section" are cite-block.js.) Same-origin, no
   dependencies. */
(function () {
  "use strict";
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

  /* Reference previews. A citation links to its entry in the page's reference list
     (href="#ref-KEY"); hovering it, focusing it or tapping it shows that entry in a tooltip
     next to it, copied from the list, so the page carries each reference once. Assistive
     technology gets the same reference: the citation is described by (aria-describedby) the
     entry's reference text alone (its .reference-text, not the passages listed under it, which
     a screen reader would otherwise read out at every focus), or by the tooltip while it shows. Escape or moving away hides it; the pointer may move
     into the tooltip (to select text or follow the source's link) without it closing. On a
     touch screen the first tap shows the tooltip and a second tap follows the link. */
  var PREVIEW_ID = "cite-preview";
  var preview = null;  // the one tooltip element of the document
  var shownFor = null;  // the citation it describes, or null while hidden
  var hideTimer = 0;
  var tapped = null;  // a citation a finger has just touched, while its preview was not showing

  function entryFor(link) {
    /* link.hash, not the href attribute: instant navigation makes hrefs absolute. */
    if (!link.hash || link.pathname !== window.location.pathname) return null;
    var id;
    try { id = decodeURIComponent(link.hash.slice(1)); } catch (e) { return null; }
    var entry = document.getElementById(id);
    return entry && entry.closest("section.references") ? entry : null;
  }

  /* The id of what describes a citation: its entry's reference text, without the passages
     (id "reftext-KEY", built by scripts/mdcite/evidence_html.py); the whole entry if it has none. */
  function descriptionId(entry) {
    var text = entry.querySelector(":scope > .reference-text[id]");
    return text ? text.id : entry.id;
  }

  function citationOf(node) {
    var link = node && node.closest ? node.closest("a.citation") : null;
    return link && entryFor(link) ? link : null;
  }

  function previewElement() {
    if (!preview) {
      preview = document.createElement("div");
      preview.id = PREVIEW_ID;
      preview.className = "cite-preview";
      preview.setAttribute("role", "tooltip");
      preview.hidden = true;
    }
    if (!document.body.contains(preview)) document.body.appendChild(preview);
    return preview;
  }

  function place(box, link) {
    var margin = 8;
    box.style.left = "0px";
    box.style.top = "0px";
    var r = link.getBoundingClientRect();
    var width = box.offsetWidth;
    var height = box.offsetHeight;
    var left = Math.max(margin, Math.min(r.left, window.innerWidth - width - margin));
    var below = r.bottom + 6;
    var top = below + height + margin > window.innerHeight && r.top - 6 - height > margin
      ? r.top - 6 - height : below;
    box.style.left = left + window.scrollX + "px";
    box.style.top = top + window.scrollY + "px";
  }

  /* The section a citation stands in: the last of the page's section ids (listed, in page
     order, on a reference list that has passages) whose element comes before the citation, as
     the engine's index assigns citations to sections; "top" above the first. */
  function sectionOf(link, entry) {
    var list = entry.closest("section.references");
    var ids = ((list && list.getAttribute("data-sections")) || "").split(" ");
    var found = "top";
    ids.forEach(function (id) {
      var el = id && document.getElementById(id);
      if (el && (el.compareDocumentPosition(link) & Node.DOCUMENT_POSITION_FOLLOWING)) found = id;
    });
    return found;
  }

  /* In a preview, only the passages that support the citation's own section, expanded. */
  function keepPassagesOf(box, section) {
    box.querySelectorAll(".evidence-item").forEach(function (item) {
      if (item.getAttribute("data-section") !== section) item.remove();
      else if (item.tagName === "DETAILS") item.open = true;
    });
    box.querySelectorAll(".evidence-list").forEach(function (list) {
      if (!list.children.length) list.remove();
    });
  }

  function show(link) {
    clearTimeout(hideTimer);
    if (shownFor === link) return;
    hide();
    var entry = entryFor(link);
    var box = previewElement();
    box.replaceChildren.apply(box, Array.prototype.map.call(entry.childNodes, function (n) {
      return n.cloneNode(true);
    }));
    keepPassagesOf(box, sectionOf(link, entry));
    box.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    box.querySelectorAll("a, button").forEach(function (el) { el.setAttribute("tabindex", "-1"); });
    box.hidden = false;
    place(box, link);
    link.setAttribute("aria-describedby", PREVIEW_ID);
    shownFor = link;
  }

  function hide() {
    clearTimeout(hideTimer);
    if (!shownFor) return;
    var entry = entryFor(shownFor);
    if (entry) shownFor.setAttribute("aria-describedby", descriptionId(entry));
    else shownFor.removeAttribute("aria-describedby");
    shownFor = null;
    if (preview) preview.hidden = true;
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 200);
  }

  function inPreview(node) {
    return !!(preview && node && preview.contains(node));
  }

  function describeCitations(root) {
    hide();
    root.querySelectorAll("a.citation").forEach(function (link) {
      var entry = entryFor(link);
      if (entry) link.setAttribute("aria-describedby", descriptionId(entry));
    });
  }

  function listenForPreviews() {
    document.addEventListener("mouseover", function (ev) {
      var link = citationOf(ev.target);
      if (link) show(link);
      else if (inPreview(ev.target)) clearTimeout(hideTimer);
    });
    document.addEventListener("mouseout", function (ev) {
      var from = citationOf(ev.target) || inPreview(ev.target);
      var to = ev.relatedTarget;
      if (from && !(to && (citationOf(to) === shownFor || inPreview(to)))) hideSoon();
    });
    document.addEventListener("focusin", function (ev) {
      var link = citationOf(ev.target);
      if (link) show(link);
    });
    document.addEventListener("focusout", function (ev) {
      if (citationOf(ev.target) === shownFor && !inPreview(ev.relatedTarget)) hide();
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && shownFor) hide();
    });
    /* Capture phase: before the touch's compatibility mouse events show the preview, and
       before Material's own click handling (instant navigation). */
    document.addEventListener("pointerdown", function (ev) {
      var link = citationOf(ev.target);
      tapped = link && ev.pointerType === "touch" && link !== shownFor ? link : null;
      if (!link && !inPreview(ev.target)) hide();
    }, true);
    document.addEventListener("click", function (ev) {
      var link = citationOf(ev.target);
      var first = link && link === tapped;
      tapped = null;
      if (!first) {
        if (link) hide();  // the link is being followed to the entry itself
        return;
      }
      ev.preventDefault();
      ev.stopPropagation();
      show(link);
    }, true);
    window.addEventListener("resize", hide);
    /* On paper every passage is open (print lists them after the page's references). */
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details.evidence-item:not([open])").forEach(function (d) {
        d.open = true;
        d.setAttribute("data-opened-for-print", "");
      });
    });
    window.addEventListener("afterprint", function () {
      document.querySelectorAll("details.evidence-item[data-opened-for-print]").forEach(function (d) {
        d.open = false;
        d.removeAttribute("data-opened-for-print");
      });
    });
  }

  function setup(root) {
    describeCitations(root);
    root.querySelectorAll(".reference-download").forEach(function (b) {
      b.addEventListener("click", function () { saveWorks(b); });
    });
  }

  listenForPreviews();

  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(function () { setup(document); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { setup(document); });
  }
})();
