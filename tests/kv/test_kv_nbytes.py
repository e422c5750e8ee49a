"""cylru.nbytes on real torch tensors and transformers' DynamicCache."""

from __future__ import annotations

import copy
from types import ModuleType

import numpy as np
import pytest
import torch
from transformers import DynamicCache

from cylru import nbytes

pytestmark = pytest.mark.kv


def storage_bytes(*tensors: torch.Tensor) -> int:
    """Bytes of the distinct storages behind ``tensors``."""
    storages = {t.untyped_storage().data_ptr(): t.untyped_storage().nbytes() for t in tensors}
    return sum(storages.values())


def test_tensor_counts_its_bytes() -> None:
    assert nbytes(torch.zeros(4, 8)) == 128
    assert nbytes(torch.zeros(10, dtype=torch.float16)) == 20
    assert nbytes(torch.zeros(10, dtype=torch.bfloat16)) == 20
    assert nbytes(torch.zeros(10, dtype=torch.int64)) == 80
    assert nbytes(torch.nn.Parameter(torch.zeros(3))) == 12


def test_views_and_aliases_share_one_storage() -> None:
    base = torch.zeros(4, 8)
    views = [
        base,
        base[1:],
        base.view(32),
        base.T,
        base.narrow(1, 2, 3),
        base[::2],
        base.expand(2, 4, 8),
        base.unsqueeze(0),
        base.detach(),
        base[0],
    ]
    assert nbytes(views) == 128
    assert nbytes({"a": views[1], "b": (views[3], [views[4]])}) == 128
    # A view keeps its whole storage alive, so alone it weighs the storage.
    assert nbytes(base[0, :1]) == 128


def test_copies_are_distinct_buffers() -> None:
    base = torch.zeros(4, 8)
    assert nbytes([base, base.clone(), base.T.contiguous()]) == 3 * 128
    assert nbytes([base, torch.zeros(4, 8)]) == 256


def test_numpy_and_torch_aliases_count_once() -> None:
    tensor = torch.zeros(10)
    assert nbytes([tensor, tensor.numpy(), tensor.numpy()[3:]]) == 40
    array = np.zeros(10)
    assert nbytes([array, torch.from_numpy(array)]) == 80


def test_empty_meta_and_sparse_tensors() -> None:
    assert nbytes(torch.empty(0)) == 0
    # No addressable storage: the tensor's own nbytes.
    assert nbytes(torch.empty(3, device="meta")) == 12
    sparse = torch.sparse_coo_tensor([[0, 2]], [1.0, 2.0], (3,), check_invariants=True)
    assert nbytes(sparse) == 2 * 8 + 2 * 4  # int64 indices + float32 values


def test_dynamic_cache_built_by_update() -> None:
    cache = DynamicCache()
    shape = (1, 2, 16, 8)  # batch, kv heads, tokens, head dim
    for layer in range(3):
        cache.update(torch.randn(shape), torch.randn(shape), layer)
    tensors = list(_kv_tensors(cache))
    assert len(tensors) == 6
    assert nbytes(cache) == storage_bytes(*tensors) == 6 * 2 * 16 * 8 * 4
    # A deep copy is a second set of buffers; the cache and a reference to it are one.
    assert nbytes([cache, cache]) == nbytes(cache)
    assert nbytes([cache, copy.deepcopy(cache)]) == 2 * nbytes(cache)


def test_dynamic_cache_from_a_model(example: ModuleType) -> None:
    settings = example.TINY
    model = example.build_model(settings)
    prefix = torch.randint(0, settings.vocab_size, (1, 40))
    with torch.no_grad():
        kv = model(input_ids=prefix, use_cache=True)[example.CACHE_ARG]
    head_dim = settings.hidden_size // settings.heads
    expected = settings.layers * 2 * settings.kv_heads * 40 * head_dim * 4
    assert nbytes(kv) == storage_bytes(*_kv_tensors(kv)) == expected
    state = example.PrefixState(ids=prefix, kv=kv)
    assert nbytes(state) == expected + prefix.nbytes


def test_older_list_layout() -> None:
    class ListsCache:  # DynamicCache before the per-layer objects
        def __init__(self) -> None:
            self.key_cache = [torch.zeros(2, 8) for _ in range(3)]
            self.value_cache = [t[:, :4] for t in self.key_cache]  # views: no new bytes

    assert nbytes(ListsCache()) == 3 * 64


def _kv_tensors(cache: object) -> list[torch.Tensor]:
    return [
        tensor
        for layer in getattr(cache, "layers", [])
        for tensor in (layer.keys, layer.values)
        if isinstance(tensor, torch.Tensor)
    ]
