"""Write the configuration that one build of the book uses, from _config.yml.

_config.yml is the book's configuration; two settings depend on the machine
that builds it, so `make` derives the file it passes to `jupyter-book build
--config` from it:

- Offline scripts. When `make vendor` has fetched MathJax, require.js and the
  widget manager from npm into _vendor/html, the book serves its own copies
  and reads offline. Without them (no npm), the book loads the three from
  their CDNs: the pages work, online only.
- The repository's address. It is set in one place, `make book
  REPOSITORY_URL=https://github.com/OWNER/NAME`. Without it the book shows no
  repository, Binder or Colab buttons, rather than buttons that lead nowhere.

usage: python book/_tools/book_config.py OUT [--repository URL] [--require-offline]
Prints one line that says which scripts the book loads.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "_vendor" / "html" / "vendor"
# only a real GitHub address: Jupyter Book builds its buttons from owner and name
GITHUB = re.compile(r"^https://github\.com/[\w.-]+/[\w.-]+$")


def build_config(repository: str | None, offline: bool) -> dict:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    sphinx = config["sphinx"]["config"]
    if not offline:
        # Sphinx's and myst-nb's defaults: MathJax, require.js and the widget manager from CDNs
        del sphinx["mathjax_path"]
        del sphinx["nb_ipywidgets_js"]
        sphinx["html_extra_path"] = [p for p in sphinx["html_extra_path"] if not p.startswith("_vendor")]
    html = config.setdefault("html", {})
    launch = config.setdefault("launch_buttons", {})
    if repository:
        config["repository"] = {"url": repository, "path_to_book": "", "branch": "main"}
        html["use_repository_button"] = True
        launch["binderhub_url"] = "https://mybinder.org"
        launch["colab_url"] = "https://colab.research.google.com"
    else:
        config.pop("repository", None)
        html["use_repository_button"] = False
        launch["binderhub_url"] = ""
        launch["colab_url"] = ""
    # every path in the file is relative to the book's root, wherever OUT is
    config["bibtex_bibfiles"] = [str(ROOT / p) for p in config["bibtex_bibfiles"]]
    sphinx["html_extra_path"] = [str(ROOT / p) for p in sphinx["html_extra_path"]]
    sphinx["html_static_path"] = [str(ROOT / p) for p in sphinx.get("html_static_path", [])]
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--repository", default="", help="https://github.com/OWNER/NAME")
    parser.add_argument("--require-offline", action="store_true", help="fail when the npm copies are missing")
    args = parser.parse_args(argv)
    if args.repository and not GITHUB.match(args.repository):
        parser.error(f"--repository must look like https://github.com/OWNER/NAME, got {args.repository!r}")
    offline = (VENDOR / "VERSIONS.txt").is_file()
    if args.require_offline and not offline:
        print("book_config: the offline copies in _vendor/ are missing; run `make vendor` (needs npm)", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(yaml.safe_dump(build_config(args.repository or None, offline), sort_keys=False), encoding="utf-8")
    if offline:
        print("book: MathJax, require.js and the widget manager served from _vendor (reads offline)")
    else:
        print("book: npm not found, so MathJax, require.js and the widget manager load from their CDNs (online only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
