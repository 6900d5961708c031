// Presentation mode: one slide at a time, arrow keys (and Page Up/Down, Home/End) move
// between them and the address keeps the slide's anchor. Without JavaScript the page is a
// long page of sections with a table of contents.
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  if (!slides.length) { return; }
  document.documentElement.classList.add("slides-js");
  var counter = document.getElementById("slide-counter");
  var prev = document.getElementById("slide-prev");
  var next = document.getElementById("slide-next");
  var current = 0;

  function indexOfHash() {
    var id = window.location.hash.replace(/^#/, "");
    for (var i = 0; i < slides.length; i += 1) {
      if (slides[i].id === id) { return i; }
    }
    return 0;
  }

  function show(index, focus) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) {
      var on = i === current;
      slide.classList.toggle("is-current", on);
      slide.setAttribute("aria-hidden", on ? "false" : "true");
    });
    if (counter) {
      counter.textContent = counter.dataset.template
        .replace("{n}", String(current + 1)).replace("{total}", String(slides.length));
    }
    if (prev) { prev.disabled = current === 0; }
    if (next) { next.disabled = current === slides.length - 1; }
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + slides[current].id);
    }
    if (focus) { slides[current].focus(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowDown" || key === "PageDown" || key === " ") {
      show(current + 1, true);
    } else if (key === "ArrowLeft" || key === "ArrowUp" || key === "PageUp") {
      show(current - 1, true);
    } else if (key === "Home") {
      show(0, true);
    } else if (key === "End") {
      show(slides.length - 1, true);
    } else {
      return;
    }
    event.preventDefault();
  });
  if (prev) { prev.addEventListener("click", function () { show(current - 1, true); }); }
  if (next) { next.addEventListener("click", function () { show(current + 1, true); }); }
  window.addEventListener("hashchange", function () { show(indexOfHash(), false); });
  show(indexOfHash(), false);
}());
