"""Tools can read the API of both implementations (docs/contract.md sections 2 and 3).

``inspect.signature`` (and so ``help``, IDEs and documentation tools) must work on each
class and each of its public methods, on the compiled core as on the pure twin, and the
two must agree: the same parameters, in the same order, of the same kind, with the same
defaults (a sentinel default, like ``pop``'s, only has to exist on both sides).
"""

from __future__ import annotations

import importlib
import inspect
import pydoc
from typing import Any

import pytest

IMPLEMENTATIONS = {"c": "cylru._lru_c", "py": "cylru._lru_py"}
CLASSES = ("LRUCache", "SimpleLRUCache")
EXPECTED_CLASS_SIGNATURES = {
    "LRUCache": "(capacity, on_evict=None, *, max_weight=None, weigher=None)",
    "SimpleLRUCache": "(capacity, on_evict=None)",
}
SIMPLE_DEFAULTS = (type(None), bool, int, float, str, bytes, tuple)

# Agreed signatures one implementation does not have yet (as in test_differential.py):
# left out of the agreement test, and each checked alone as a strict xfail, so it
# reports as soon as both sides have it.
PENDING: dict[str, str] = {}  # none left

pytestmark = pytest.mark.needs_core


def _module(name: str) -> Any:
    return importlib.import_module(IMPLEMENTATIONS[name])


def public_methods(cls: type) -> list[str]:
    """Public callables of a class: its methods, not its properties."""
    return sorted(
        name
        for name in dir(cls)
        if not name.startswith("_") and callable(inspect.getattr_static(cls, name))
    )


def shape(signature: inspect.Signature) -> list[tuple[str, Any, object]]:
    """What must agree: each parameter's name, kind and default (or that it has one)."""
    result = []
    for p in signature.parameters.values():
        if p.default is inspect.Parameter.empty:
            default: object = "<required>"
        elif isinstance(p.default, SIMPLE_DEFAULTS):
            default = p.default
        else:
            default = "<sentinel>"
        result.append((p.name, p.kind, default))
    return result


def plain(signature: inspect.Signature) -> str:
    """The signature as help() shows it, without annotations."""
    return str(
        signature.replace(
            parameters=[
                p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()
            ],
            return_annotation=inspect.Signature.empty,
        )
    )


@pytest.mark.parametrize("impl_name", list(IMPLEMENTATIONS))
@pytest.mark.parametrize("class_name", CLASSES)
def test_class_signature(impl_name: str, class_name: str) -> None:
    cls = getattr(_module(impl_name), class_name)
    assert plain(inspect.signature(cls)) == EXPECTED_CLASS_SIGNATURES[class_name]


@pytest.mark.parametrize("class_name", CLASSES)
def test_help_opens_with_the_real_signature(class_name: str) -> None:
    rendered = pydoc.render_doc(getattr(_module("c"), class_name), renderer=pydoc.plaintext)
    assert f"{class_name}{EXPECTED_CLASS_SIGNATURES[class_name]}" in rendered


@pytest.mark.parametrize("class_name", CLASSES)
def test_same_public_methods(class_name: str) -> None:
    c_cls, py_cls = (getattr(_module(name), class_name) for name in IMPLEMENTATIONS)
    assert public_methods(c_cls) == public_methods(py_cls)


def disagreements(class_name: str, names: list[str] | None = None) -> dict[str, Any]:
    """Public methods whose signatures differ between the core and the twin."""
    c_cls, py_cls = (getattr(_module(name), class_name) for name in IMPLEMENTATIONS)
    # Bound methods: `self` is positional-only on the core, like any builtin's.
    c_obj, py_obj = c_cls(4), py_cls(4)
    found = {}
    for name in public_methods(py_cls) if names is None else names:
        c_sig = inspect.signature(getattr(c_obj, name))
        py_sig = inspect.signature(getattr(py_obj, name))
        if shape(c_sig) != shape(py_sig):
            found[name] = (plain(c_sig), plain(py_sig))
    return found


@pytest.mark.parametrize("class_name", CLASSES)
def test_every_public_method_has_a_signature_that_agrees(class_name: str) -> None:
    found = disagreements(class_name)
    assert {k: v for k, v in found.items() if k not in PENDING} == {}


if PENDING:  # an empty parameter set would show as a skip

    @pytest.mark.parametrize(
        "name",
        [
            pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=why))
            for n, why in PENDING.items()
        ],
    )
    def test_pending_signature_agrees(name: str) -> None:
        assert disagreements("LRUCache", [name]) == {}


@pytest.mark.parametrize("class_name", CLASSES)
def test_every_public_method_is_documented(class_name: str) -> None:
    c_cls, py_cls = (getattr(_module(name), class_name) for name in IMPLEMENTATIONS)
    for cls in (c_cls, py_cls):
        undocumented = [
            name for name in public_methods(cls) if not inspect.getdoc(getattr(cls, name))
        ]
        assert undocumented == [], cls
