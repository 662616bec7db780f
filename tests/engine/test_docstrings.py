"""The runnable examples in the engine's docstrings stay true."""

import doctest
import importlib
import pkgutil

import pytest

import tremplin.engine

MODULES = sorted(
    f"tremplin.engine.{info.name}"
    for info in pkgutil.iter_modules(tremplin.engine.__path__)
    if info.name not in {"__main__"}
)


@pytest.mark.parametrize("name", ["tremplin.engine", *MODULES])
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} failing example(s) in {name}"
