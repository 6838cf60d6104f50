"""Listings of the library's real code, for the chapters: `show_source(vaelib.VAE.encode)`.

A chapter that explains a piece of code shows it with a listing cell, so the reader sees the code
that runs, not a copy of it. The listing is the exact source text (`inspect.getsource`, dedented)
of a function, method or class, so it cannot drift from the library: when the code changes, the
stored output of the cell no longer matches, and `tests/test_notebooks.py` (every character) and
`pytest --nbval` (the words; it masks numbers) fail until the chapter is run again.

The output has two forms. `text/plain` (what those tests compare, and what a terminal prints) is
the source itself. `text/markdown` is the same source in a fenced ```python block with a one-line
caption naming where it lives: Jupyter and Colab show it highlighted, and the book renders it as
one of its own code blocks (the theme's colours, dark mode and copy button included). The text
of both is deterministic, whatever Pygments or Jupyter version draws it.
"""

from __future__ import annotations

import inspect
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Listing", "show_source"]


@dataclass(frozen=True)
class Listing:
    """The source of one function, method or class: `name` (qualified), `module` and `source`."""

    name: str  # e.g. "VAE.reparameterize"
    module: str  # e.g. "vaelib.models.mlp"
    path: str  # the file, relative to the package's parent folder: "vaelib/models/mlp.py"
    source: str  # the exact source text, dedented, ending in a newline

    def __repr__(self) -> str:  # text/plain: the source, exactly
        return self.source.rstrip("\n")

    def _repr_markdown_(self) -> str:
        # A fence longer than any run of backticks in the source, so that none can close it.
        longest = max((len(run) for run in re.findall(r"`+", self.source)), default=0)
        fence = "`" * max(3, longest + 1)
        return f"`{self.name}`, from `{self.path}`:\n\n{fence}python\n{self.source}{fence}\n"


def show_source(obj: object) -> Listing:
    """The listing of `obj`: a function, method, class or property of vaelib (or any Python code).

    Display the result in a notebook cell (make it the cell's last expression). Raises a
    `TypeError` naming the object when it has no Python source (a built-in, an instance, a
    number).
    """
    target = obj.fget if isinstance(obj, property) else obj
    target = inspect.unwrap(getattr(target, "__func__", target))  # bound methods
    try:
        if not (inspect.isclass(target) or inspect.isfunction(target)):
            raise TypeError
        source = inspect.getsource(target)
        file = inspect.getsourcefile(target)
    except (TypeError, OSError):
        raise TypeError(
            f"show_source needs a function, method or class written in Python, got "
            f"{_describe(obj)}; pass the function itself, e.g. show_source(vaelib.VAE.encode), "
            f"not the result of calling it"
        ) from None
    module = getattr(target, "__module__", None) or inspect.getmodule(target).__name__
    name = getattr(target, "__qualname__", getattr(target, "__name__", repr(target)))
    return Listing(
        name=name,
        module=module,
        path=_relative_path(file, module),
        source=textwrap.dedent(source).rstrip("\n") + "\n",
    )


def _describe(obj: object) -> str:
    if inspect.isbuiltin(obj):
        return f"the built-in {obj.__name__}"
    if isinstance(obj, (int, float, str, bytes, bool)) or obj is None:
        return f"{type(obj).__name__} {obj!r:.60}"
    return f"an instance of {type(obj).__name__}"


def _relative_path(file: str | None, module: str) -> str:
    """`file` relative to the folder that holds its top-level package: "vaelib/models/mlp.py"."""
    if file is None:
        return module.replace(".", "/") + ".py"
    path = Path(file)
    depth = module.count(".")  # vaelib.models.mlp: the file sits two folders below the package root
    parts = path.parts[-(depth + 1) :] if path.stem != "__init__" else path.parts[-(depth + 2) :]
    return "/".join(parts)
