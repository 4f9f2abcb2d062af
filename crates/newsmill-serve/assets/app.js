// newsmill: optional keyboard help. Every page works without this file.
// "/" focuses the search box (unless you are typing somewhere), Escape leaves it.
(function () {
  "use strict";
  var box = document.getElementById("q");
  if (!box) return;
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      box.focus();
      box.select();
    } else if (e.key === "Escape" && t === box) {
      box.blur();
    }
  });
})();
