// Loaded before require.js on every page that shows saved widget state
// (nb_ipywidgets_js in _config.yml). Two fixes for reading the book offline
// with local copies of the widget manager and MathJax 3.

// 1. The widget manager bundle loads its icon fonts from a folder named after
// its AMD module, resolved from the page: book/@jupyter-widgets/html-manager/
// dist/. Point that module at the folder the fonts are served from.
var require = {
  paths: {
    "@jupyter-widgets/html-manager/dist":
      (document.documentElement.dataset.content_root || "./") + "vendor/html-manager",
  },
};

// 2. ipywidgets 8 typesets math in widget labels with MathJax 2's
// MathJax.Hub.Queue; the book loads MathJax 3, which has no Hub. Give every
// value window.MathJax takes (Sphinx's configuration object, then MathJax 3
// itself) a Hub whose Queue asks MathJax 3 to typeset the element.
(function () {
  var hub = {
    Queue: function (job) {
      var element = job && job[2];
      var mathjax = window.MathJax;
      if (!mathjax || !mathjax.startup || !mathjax.startup.promise) return;
      mathjax.startup.promise
        .then(function () {
          return mathjax.typesetPromise(element ? [element] : undefined);
        })
        .catch(function (error) {
          console.warn("MathJax could not typeset a widget label:", error);
        });
    },
  };
  var current = window.MathJax;
  function withHub(value) {
    if (value && typeof value === "object" && !value.Hub) value.Hub = hub;
    return value;
  }
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = withHub(value);
    },
  });
  withHub(current);
})();
