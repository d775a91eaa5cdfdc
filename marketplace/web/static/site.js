// A little help for the pages, which all work without it.
(function () {
  "use strict";

  // Move focus to a summary of errors, so that a screen reader reads it
  // and the keyboard starts from it.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }

  // A link in the summary of errors moves focus to its field (and scrolls
  // its label into view), not just to the field's anchor.
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest(".error-summary a[href^='#']");
    if (!a) {
      return;
    }
    var el = document.getElementById(a.getAttribute("href").slice(1));
    if (!el) {
      return;
    }
    var input = el.matches("input, select, textarea") ? el : el.querySelector("input, select, textarea");
    if (input) {
      e.preventDefault();
      var label = document.querySelector("label[for='" + input.id + "']") || el;
      label.scrollIntoView();
      input.focus({ preventScroll: true });
    }
  });

  // The filters and further options of a search are open on wide
  // screens and folded on phones, unless the page opened them.
  var wide = window.matchMedia("(min-width: 60rem)");
  var folding = document.querySelectorAll("details[data-open-wide]");
  var fold = function () {
    folding.forEach(function (d) {
      d.open = wide.matches || d.hasAttribute("data-opened");
    });
  };
  folding.forEach(function (d) {
    if (d.open) {
      d.setAttribute("data-opened", "");
    }
  });
  fold();
  if (wide.addEventListener) {
    wide.addEventListener("change", fold);
  }

  // The listing form shows the travel distance for offers only and the
  // date needed by for needs only.
  var form = document.querySelector("form[data-kind-form]");
  if (form) {
    var show = function () {
      var checked = form.querySelector("input[name='kind']:checked");
      var hidden = form.querySelector("input[type='hidden'][name='kind']");
      var kind = checked ? checked.value : hidden ? hidden.value : "offer";
      form.querySelectorAll(".only-offer").forEach(function (el) {
        el.hidden = kind !== "offer";
      });
      form.querySelectorAll(".only-need").forEach(function (el) {
        el.hidden = kind !== "need";
      });
    };
    form.addEventListener("change", show);
    show();
  }
})();
