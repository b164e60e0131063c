"""A linted model is freed by reference counting, without the cyclic collector.

A 10,000-function template decodes to millions of objects. If anything ties the model in
a reference cycle (a source naming its function, the model keeping a bound method of its
builder), the whole model waits for the cyclic collector, which then walks every one of
those objects: a tenth of the run. These tests fail when such a cycle comes back.
"""

from __future__ import annotations

import gc
import weakref

import pytest
from conftest import FIXTURES, REPO

from esmlint import engine, loaders

TEMPLATES = [
    REPO / "examples" / "template.yaml",  # SAM: events, destinations, generated roles
    FIXTURES / "ESM303" / "fail_sam_and_cfn.yaml",  # invoke configs per function
    FIXTURES / "ESM201" / "fail_cfn_roles.yaml",  # plain CloudFormation roles
]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_model_is_freed_when_dropped(path):
    text = path.read_text(encoding="utf-8")
    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded = loaders.load_text(str(path), text, True)
        model = loaded.model
        assert model is not None and model.functions
        engine.run(model)
        assert model.referrers is not None  # the lazy reference index, built
        # The back-references this test is about, both in use (sources or invoke configs).
        parts = [part for fn in model.functions for part in (*fn.sources, *fn.invoke_configs)]
        assert parts and all(part.function in model.functions for part in parts)
        probe = weakref.ref(model)
        function = weakref.ref(model.functions[0])
        del loaded, model, parts
        assert probe() is None, "the model is held by a reference cycle"
        assert function() is None, "a function is held by a reference cycle"
    finally:
        if collecting:
            gc.enable()
