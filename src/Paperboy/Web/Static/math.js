// Typesets math with KaTeX (served beside this file, /static/katex/), in two places:
//  - elements with class "math", as the comment Markdown renderer writes them: \(...\) inline, \[...\] display;
//  - text inside elements with class "tex" (paper titles and abstracts): $...$ inline and $$...$$ display,
//    within one text node, skipping \$ and a lone $.
// The page's policy allows no inline styles, so KaTeX builds DOM nodes (katex.render), whose styles are set through
// the CSSOM; its HTML strings (renderToString) would have their style attributes blocked.
// window.paperboyMath(root) typesets what a script added later (a new comment, say).
(function () {
  "use strict";

  var SKIP = { SCRIPT: true, STYLE: true, TEXTAREA: true, CODE: true, PRE: true };

  function render(tex, target, displayMode) {
    try {
      window.katex.render(tex, target, { displayMode: displayMode, throwOnError: false });
      return true;
    } catch (e) {
      return false; // KaTeX's own limits (say, a huge input): the source stays as text.
    }
  }

  function renderMathElement(el) {
    if (el.getAttribute("data-math-done") === "1") return;
    var text = el.textContent.trim();
    var display = false;
    if (text.slice(0, 2) === "\\(" && text.slice(-2) === "\\)") {
      text = text.slice(2, -2);
    } else if (text.slice(0, 2) === "\\[" && text.slice(-2) === "\\]") {
      text = text.slice(2, -2);
      display = true;
    } else {
      return;
    }
    if (render(text, el, display)) el.setAttribute("data-math-done", "1");
  }

  function isDollar(s, i) {
    return s.charAt(i) === "$" && (i === 0 || s.charAt(i - 1) !== "\\");
  }

  // The next unescaped "$" from i, or -1.
  function nextDollar(s, i) {
    for (; i < s.length; i++) {
      if (isDollar(s, i)) return i;
    }
    return -1;
  }

  // Splits a text into [{text}] and [{tex, display}] pieces; null when it holds no math.
  // Inline $...$ as pandoc reads it: no space just inside either dollar, no digit just after the closing one,
  // so "costs $5 and $10" stays text.
  function split(s) {
    var pieces = [];
    var from = 0;
    var i = 0;
    var found = false;
    while ((i = nextDollar(s, i)) >= 0) {
      var end;
      if (s.charAt(i + 1) === "$") {
        end = s.indexOf("$$", i + 2);
        while (end >= 0 && s.charAt(end - 1) === "\\") end = s.indexOf("$$", end + 1);
        if (end < 0 || s.slice(i + 2, end).trim() === "") { i += 2; continue; }
        pieces.push({ text: s.slice(from, i) }, { tex: s.slice(i + 2, end), display: true });
        from = i = end + 2;
        found = true;
        continue;
      }
      if (/\s/.test(s.charAt(i + 1)) || i + 1 >= s.length) { i += 1; continue; }
      end = i + 1;
      while ((end = nextDollar(s, end)) >= 0 && (/\s/.test(s.charAt(end - 1)) || /[0-9]/.test(s.charAt(end + 1)))) end += 1;
      if (end < 0) { i += 1; continue; }
      pieces.push({ text: s.slice(from, i) }, { tex: s.slice(i + 1, end), display: false });
      from = i = end + 1;
      found = true;
    }
    if (!found) return null;
    pieces.push({ text: s.slice(from) });
    return pieces;
  }

  function renderTextNode(node) {
    var pieces = split(node.nodeValue);
    if (!pieces) return;
    var fragment = document.createDocumentFragment();
    for (var k = 0; k < pieces.length; k++) {
      var p = pieces[k];
      if (p.tex === undefined) {
        if (p.text) fragment.appendChild(document.createTextNode(p.text));
        continue;
      }
      var span = document.createElement("span");
      span.className = p.display ? "tex-math display" : "tex-math";
      if (!render(p.tex, span, p.display)) {
        span = document.createTextNode(p.display ? "$$" + p.tex + "$$" : "$" + p.tex + "$");
      }
      fragment.appendChild(span);
    }
    node.parentNode.replaceChild(fragment, node);
  }

  function renderTexElement(el) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) {
        for (var p = n.parentNode; p && p !== el.parentNode; p = p.parentNode) {
          if (SKIP[p.nodeName] || (p.classList && (p.classList.contains("katex") || p.classList.contains("math")))) {
            return NodeFilter.FILTER_REJECT;
          }
        }
        return n.nodeValue.indexOf("$") >= 0 ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP;
      }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (var k = 0; k < nodes.length; k++) renderTextNode(nodes[k]);
  }

  function all(root, cls) {
    var found = Array.prototype.slice.call(root.querySelectorAll("." + cls));
    if (root.classList && root.classList.contains(cls)) found.unshift(root);
    return found;
  }

  function paperboyMath(root) {
    root = root || document;
    if (!window.katex) return;
    all(root, "math").forEach(renderMathElement);
    all(root, "tex").forEach(renderTexElement);
  }

  window.paperboyMath = paperboyMath;
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { paperboyMath(document); });
  } else {
    paperboyMath(document);
  }
})();
