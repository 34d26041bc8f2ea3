// newsspans render: layer toggles and side-panel jumps. No network, no libraries.
(function () {
  "use strict";
  function apply(box) {
    document.body.classList.toggle("hide-" + box.getAttribute("data-layer"), !box.checked);
  }
  var boxes = document.querySelectorAll("input.layer-toggle");
  for (var i = 0; i < boxes.length; i++) {
    // A browser may restore a box's state on "back": the page must follow the box.
    apply(boxes[i]);
    boxes[i].addEventListener("change", function (event) { apply(event.currentTarget); });
  }
  function fragments(key) {
    var all = document.querySelectorAll(".ann[data-ann]"), found = [];
    for (var j = 0; j < all.length; j++) {
      if (all[j].getAttribute("data-ann") === key) { found.push(all[j]); }
    }
    return found;
  }
  var flashing = [];
  var jumps = document.querySelectorAll("a.jump");
  for (var k = 0; k < jumps.length; k++) {
    jumps[k].addEventListener("click", function (event) {
      var target = document.getElementById(event.currentTarget.getAttribute("data-target"));
      if (!target) { return; }
      event.preventDefault();
      target.scrollIntoView({block: "center"});
      flashing.forEach(function (el) { el.classList.remove("flash"); });
      flashing = fragments(target.getAttribute("data-ann"));
      flashing.forEach(function (el) { el.classList.add("flash"); });
    });
  }
  // A click on the text lists every annotation covering that point, innermost first.
  var article = document.querySelector("article.text");
  var details = document.getElementById("details-list");
  if (article && details) {
    article.addEventListener("click", function (event) {
      var seen = {}, rows = [];
      for (var el = event.target; el && el !== article; el = el.parentNode) {
        var key = el.getAttribute && el.getAttribute("data-ann");
        if (key && !seen[key]) {
          seen[key] = true;
          rows.push(el.getAttribute("title"));
        }
      }
      details.textContent = "";
      rows.forEach(function (title) {
        var item = document.createElement("li");
        item.textContent = title;
        details.appendChild(item);
      });
    });
  }
})();
