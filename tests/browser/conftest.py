"""Keep the browser test out of the unit step.

`pytest tests` (the unit step of `make test`, and what helpers run while
writing) must not open a browser on a book that may not be built yet, so this
folder is collected only when it is named on the command line:
`pytest tests/browser`, which is what `make browser` runs after the strict
build.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent


def _named(arg):
    path = Path(arg.split("::")[0]).resolve()
    return path == HERE or HERE in path.parents


def pytest_ignore_collect(collection_path, config):
    if not any(_named(arg) for arg in config.args):
        return True
    return None
