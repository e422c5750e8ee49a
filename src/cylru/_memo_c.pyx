# cython: language_level=3, freethreading_compatible=True, embedsignature=True, binding=True
"""The compiled memoizers: ``lru_cache`` and ``cached`` wrappers whose hits run no Python code.

``alru_cache``'s wrapper is the pure one with its call compiled and its cache the
compiled core.

The pure module ``_memo_py.py`` is the reference (docs/contract.md section 6); this
one gives its two hot wrappers a C call path and reuses the rest (argument checks,
single flight across threads, the asyncio wrappers and ``alru_cache``).

A call reaches a wrapper through vectorcall (the wrapper types set
``tp_vectorcall_offset``, which Cython does not do for ``__call__``): no argument
tuple or keyword dict is built.  The key is built here with functools' rules (see
``_memo_py.make_key``), hashed once, and looked up and stored through two
functions the core publishes as capsules (``_lru_c._memo_lookup`` and
``_memo_store``), which take that hash instead of hashing again.  A miss calls
the function with the caller's own argument array.
"""

cimport cython
from cpython.object cimport PyObject, PyTypeObject
from cpython.tuple cimport PyTuple_New

import sys
from asyncio import get_running_loop
from functools import partial

from cylru import _lru_c
from cylru._lru_c import LRUCache, SimpleLRUCache
from cylru._memo_py import (
    KWD_MARK,
    AlruCacheLoopResetWarning,
    CacheInfo,
    Flights,
    _alru_cache,
    _cached,
    _Key,
    _lru_cache,
    make_key,
)
from cylru._memo_py import _AlruCacheWrapper as _PyAlruCacheWrapper

cdef extern from "Python.h":
    ctypedef PyObject *(*vectorcallfunc)(PyObject *, PyObject **, size_t, PyObject *)
    Py_ssize_t PyVectorcall_NARGS(size_t nargsf)
    object PyObject_Vectorcall(object callable, PyObject **args, size_t nargsf,
                               PyObject *kwnames)
    object PyVectorcall_Call(object callable, object args, object kwargs)
    void *PyCapsule_GetPointer(object capsule, const char *name) except? NULL
    bint PyLong_CheckExact(PyObject *o)
    bint PyUnicode_CheckExact(PyObject *o)
    Py_ssize_t PyTuple_GET_SIZE(PyObject *p)
    PyObject *PyTuple_GET_ITEM(PyObject *p, Py_ssize_t pos)
    void _tuple_set "PyTuple_SET_ITEM"(object p, Py_ssize_t pos, PyObject *o)
    PyTypeObject *Py_TYPE(PyObject *)
    void _incref "Py_INCREF"(PyObject *)
    void _decref "Py_DECREF"(PyObject *)
    object _bound_method "PyMethod_New"(object func, object instance)
    PyObject **_tuple_items "PySequence_Fast_ITEMS"(object)

cdef extern from *:
    """
    /* Calls to an instance go through vectorcall: the slot sits at ``offset`` in
       each instance.  Set once, at import, before any instance exists. */
    static void cylru_enable_vectorcall(PyTypeObject *t, Py_ssize_t offset) {
        t->tp_vectorcall_offset = offset;
        t->tp_flags |= Py_TPFLAGS_HAVE_VECTORCALL;
        PyType_Modified(t);
    }
    """
    void cylru_enable_vectorcall(PyTypeObject *t, Py_ssize_t offset)

ctypedef int (*lookup_fn)(object, object, Py_hash_t, PyObject **) except -1
ctypedef int (*store_fn)(object, object, Py_hash_t, object) except -1

cdef lookup_fn _lookup = <lookup_fn>PyCapsule_GetPointer(
    _lru_c._memo_lookup_capsule, "cylru._lru_c._memo_lookup")
cdef store_fn _store = <store_fn>PyCapsule_GetPointer(
    _lru_c._memo_store_capsule, "cylru._lru_c._memo_store")

cdef object _MISSING = object()
cdef object _CORE = LRUCache
cdef object _CORE_SIMPLE = SimpleLRUCache
cdef object _MAXSIZE = sys.maxsize   # maxsize=None: an unbounded cache
cdef object _KWD_MARK = KWD_MARK


# ----------------------------------------------------------------------------------
# Keys: functools' rules, as _memo_py.make_key, from a vectorcall argument array.

cdef inline object _args_tuple(PyObject **args, Py_ssize_t n):
    cdef object t = PyTuple_New(n)
    cdef Py_ssize_t i
    for i in range(n):
        _incref(args[i])
        _tuple_set(t, i, args[i])
    return t


cdef object _make_key(PyObject **args, Py_ssize_t nargs, PyObject *kwnames, bint typed):
    cdef Py_ssize_t nkw = 0 if kwnames == NULL else PyTuple_GET_SIZE(kwnames)
    cdef Py_ssize_t i, j, size
    cdef PyObject *item
    if nkw == 0 and not typed:
        if nargs == 1 and (PyLong_CheckExact(args[0]) or PyUnicode_CheckExact(args[0])):
            return <object>args[0]
        return _args_tuple(args, nargs)
    size = nargs + (2 * nkw + 1 if nkw else 0) + (nargs + nkw if typed else 0)
    cdef object key = PyTuple_New(size)
    for i in range(nargs):
        _incref(args[i])
        _tuple_set(key, i, args[i])
    j = nargs
    if nkw:
        _incref(<PyObject *>_KWD_MARK)
        _tuple_set(key, j, <PyObject *>_KWD_MARK)
        j += 1
        for i in range(nkw):
            item = PyTuple_GET_ITEM(kwnames, i)
            _incref(item)
            _tuple_set(key, j, item)
            _incref(args[nargs + i])
            _tuple_set(key, j + 1, args[nargs + i])
            j += 2
    if typed:
        for i in range(nargs + nkw):
            item = <PyObject *>Py_TYPE(args[i])
            _incref(item)
            _tuple_set(key, j, item)
            j += 1
    return key


cdef inline object _steal(PyObject *value):
    """An object from a new reference (the reference moves to the returned object)."""
    cdef object result = <object>value
    _decref(value)
    return result


cdef tuple _split_call(PyObject **args, Py_ssize_t nargs, PyObject *kwnames):
    """``(args, kwargs)`` of a vectorcall, for the Python slow paths."""
    cdef Py_ssize_t nkw = 0 if kwnames == NULL else PyTuple_GET_SIZE(kwnames)
    cdef dict kwargs = {}
    cdef Py_ssize_t i
    for i in range(nkw):
        kwargs[<object>PyTuple_GET_ITEM(kwnames, i)] = <object>args[nargs + i]
    return _args_tuple(args, nargs), kwargs


cdef inline bint _is_core(object cache) noexcept:
    """True for exactly the compiled LRUCache or SimpleLRUCache (a Python subclass may
    override get/setdefault: it goes through its methods)."""
    return type(cache) is _CORE or type(cache) is _CORE_SIMPLE


cdef object _uninitialised(object wrapper):
    raise TypeError(f"{type(wrapper).__name__} object is not initialised")


cdef int _init_once(object wrapper, object cache) except -1:
    # Fields never change once set: a call on another thread reads them without a lock.
    if cache is not None:
        raise TypeError(f"{type(wrapper).__name__} object is already initialised")
    return 0


cdef object _memoizer_get(object self, object instance):
    """``__get__`` of both wrappers: bound as a method, like a function."""
    if instance is None:
        return self
    return _bound_method(self, instance)


# ----------------------------------------------------------------------------------
# lru_cache


cdef object _lru_vectorcall(object callable, PyObject **args, size_t nargsf,
                            PyObject *kwnames):
    cdef _LRUCacheWrapper self = <_LRUCacheWrapper>callable
    cdef PyObject *value = NULL
    cdef Py_hash_t h
    cache = self.cache
    if cache is None:
        return _uninitialised(self)
    if self.uncached:
        # As functools: no key at all; the miss counts.
        _lookup(cache, _MISSING, 0, &value)
        return PyObject_Vectorcall(self.func, args, nargsf, kwnames)
    key = _make_key(args, PyVectorcall_NARGS(nargsf), kwnames, self.typed)
    h = hash(key)
    if _lookup(cache, key, h, &value):
        return _steal(value)
    result = PyObject_Vectorcall(self.func, args, nargsf, kwnames)
    _store(cache, key, h, result)
    return result


@cython.final
cdef class _LRUCacheWrapper:
    """A function memoized by ``lru_cache``: call it like the function."""

    cdef vectorcallfunc vectorcall
    cdef readonly object cache
    cdef object func
    cdef object maxsize
    cdef object typed_arg
    cdef bint typed
    cdef bint uncached
    cdef dict __dict__
    cdef object __weakref__

    def __cinit__(self, *args, **kwargs):
        self.vectorcall = <vectorcallfunc>_lru_vectorcall

    def __init__(self, func, maxsize, typed, on_evict, max_weight, weigher):
        _init_once(self, self.cache)
        capacity = _MAXSIZE if maxsize is None else maxsize
        cache = LRUCache(capacity, on_evict, max_weight=max_weight, weigher=weigher)
        self.func = func
        self.maxsize = maxsize
        self.typed_arg = typed
        self.typed = bool(typed)
        self.uncached = maxsize == 0
        self.cache = cache

    def __call__(self, *args, **kwargs):
        return PyVectorcall_Call(self, args, kwargs)

    def __get__(self, instance, owner):
        return _memoizer_get(self, instance)

    def __reduce__(self):
        return self.__qualname__

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def cache_info(self):
        """``(hits, misses, maxsize, currsize)``, as ``functools.lru_cache``."""
        stats = self.cache.stats()
        return CacheInfo(stats.hits, stats.misses, self.maxsize, stats.size)

    def cache_clear(self):
        """Forget every result and zero the counters (no ``on_evict`` calls)."""
        self.cache.clear()
        self.cache.clear_stats()

    def cache_parameters(self):
        return {"maxsize": self.maxsize, "typed": self.typed_arg}

    def stats(self):
        """The underlying cache's ``CacheStats``."""
        return self.cache.stats()


def lru_cache(maxsize=128, typed=False, *, on_evict=None, max_weight=None, weigher=None):
    """A drop-in for ``functools.lru_cache`` over cylru's LRU cache (docs/contract.md section 6).

    ``on_evict(key, result)``, ``max_weight`` and ``weigher`` are as on ``LRUCache``.
    """
    return _lru_cache(_LRUCacheWrapper, maxsize, typed, on_evict, max_weight, weigher)


# ----------------------------------------------------------------------------------
# cached


cdef object _cached_vectorcall(object callable, PyObject **args, size_t nargsf,
                               PyObject *kwnames):
    cdef _CachedFunction self = <_CachedFunction>callable
    cdef PyObject *value = NULL
    cdef Py_hash_t h = 0
    cdef Py_ssize_t nargs = PyVectorcall_NARGS(nargsf)
    cache = self.cache
    if cache is None:
        return _uninitialised(self)
    if self.key_func is None:
        key = _make_key(args, nargs, kwnames, False)
    else:
        key = PyObject_Vectorcall(self.key_func, args, nargsf, kwnames)
    if self.core:
        h = hash(key)
        if _lookup(cache, key, h, &value):
            return _steal(value)
    else:
        result = cache.get(key, _MISSING)
        if result is not _MISSING:
            return result
    if self.flights is None:
        result = PyObject_Vectorcall(self.func, args, nargsf, kwnames)
        if self.core:
            _store(cache, key, h, result)
        else:
            cache.setdefault(key, result)
        return result
    if self.core and type(key) is tuple:
        key = _Key(key, h)  # the slow path stores it: hashed once all the same
    call_args, call_kwargs = _split_call(args, nargs, kwnames)
    return self.flights.run(cache, key, self.func, call_args, call_kwargs)


@cython.final
cdef class _CachedFunction:
    """A function memoized by ``cached(cache)``."""

    cdef vectorcallfunc vectorcall
    cdef readonly object cache
    cdef object func
    cdef object key_func
    cdef object flights
    cdef bint core      # the cache is exactly the compiled LRUCache or SimpleLRUCache
    cdef dict __dict__
    cdef object __weakref__

    def __cinit__(self, *args, **kwargs):
        self.vectorcall = <vectorcallfunc>_cached_vectorcall

    def __init__(self, func, cache, key, single_flight):
        _init_once(self, self.cache)
        if cache is None:
            raise TypeError("cache must be a cylru cache, not 'NoneType'")
        self.func = func
        self.key_func = key
        self.flights = Flights() if single_flight else None
        self.core = _is_core(cache)
        self.cache = cache

    def __call__(self, *args, **kwargs):
        return PyVectorcall_Call(self, args, kwargs)

    def __get__(self, instance, owner):
        return _memoizer_get(self, instance)

    def __reduce__(self):
        return self.__qualname__

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def cache_key(self, *args, **kwargs):
        """The key a call with these arguments is stored under."""
        if self.key_func is not None:
            return self.key_func(*args, **kwargs)
        return _make_key_py(args, kwargs)

    def cache_clear(self):
        """Empty the cache (no ``on_evict`` calls); its counters are kept."""
        self.cache.clear()

    def stats(self):
        """The underlying cache's ``CacheStats``."""
        return self.cache.stats()


cdef object _make_key_py(tuple args, dict kwargs):
    return make_key(args, kwargs, False)


def cached(cache, *, key=None, single_flight=True):
    """Memoize a function through ``cache``, any cylru cache (docs/contract.md section 6).

    ``key(*args, **kwargs)`` builds the key (default: as ``lru_cache`` does).  With
    ``single_flight``, concurrent misses of one key compute it once; the other
    callers wait and get the same result or the same exception (never cached).
    A coroutine function gets the same per event loop, sharing one task.
    """
    return _cached(_CachedFunction, cache, key, single_flight)


# ----------------------------------------------------------------------------------
# alru_cache: the pure wrapper, its call compiled (key in C, the compiled core)


cdef object _alru_lookup(object cache, object key, Py_hash_t h):
    cdef PyObject *value = NULL
    if _lookup(cache, key, h, &value):
        return _steal(value)
    return None


cdef object _key_of_call(tuple args, dict kwargs, object typed):
    if kwargs:
        return make_key(args, kwargs, typed)
    return _make_key(_tuple_items(args), len(args), NULL, typed)


cdef class _AlruCore:
    """What the compiled alru call reads and writes, in C fields.

    The pure wrapper's methods (cache_info, cache_clear, cache_close, the loop
    switch, the miss) see these fields as ordinary attributes, so the wrapper
    below is the pure one with only its call and this state compiled.
    """

    # Each object field is read and written inside the object's critical section, so on
    # free-threaded builds a loop switch on one thread never frees what another reads.
    cdef object c_cache
    cdef object c_loop
    cdef object c_key
    cdef object c_typed
    cdef public bint _closed
    cdef public Py_ssize_t _hits

    def __call__(self, *args, **kwargs):
        return _alru_call(self, args, kwargs)

    @property
    def cache(self):
        with cython.critical_section(self):
            return self.c_cache

    @cache.setter
    def cache(self, value):
        with cython.critical_section(self):
            self.c_cache, value = value, self.c_cache   # the old one dropped outside

    @property
    def _loop(self):
        with cython.critical_section(self):
            return self.c_loop

    @_loop.setter
    def _loop(self, value):
        with cython.critical_section(self):
            self.c_loop, value = value, self.c_loop

    @property
    def _key(self):
        with cython.critical_section(self):
            return self.c_key

    @_key.setter
    def _key(self, value):
        with cython.critical_section(self):
            self.c_key, value = value, self.c_key

    @property
    def _typed(self):
        with cython.critical_section(self):
            return self.c_typed

    @_typed.setter
    def _typed(self, value):
        with cython.critical_section(self):
            self.c_typed, value = value, self.c_typed


async def _alru_call(_AlruCore self, tuple args, dict kwargs):
    cdef Py_hash_t h
    if self._closed:
        raise RuntimeError(f"alru_cache is closed for {self}")
    loop = get_running_loop()
    with cython.critical_section(self):
        current_loop = self.c_loop
        key_func = self.c_key
        typed = self.c_typed
        cache = self.c_cache
    if loop is not current_loop:
        self._switch_loop(loop)
    if key_func is None:
        key = _key_of_call(args, kwargs, typed)
    else:
        key = key_func(*args, **kwargs)
    h = hash(key)
    shared = _alru_lookup(cache, key, h) if _is_core(cache) else cache.get(key)
    if shared is None:
        if type(key) is tuple:
            key = _Key(key, h)  # stored with its hash: hashed once all the same
        shared = self._start(loop, key, args, kwargs)
    else:
        with cython.critical_section(self):
            self._hits += 1
        task = shared.task
        if task.done():
            return task.result()
    return await shared.wait(partial(cache.pop, key, None))


class _AlruCacheWrapper(_AlruCore, _PyAlruCacheWrapper):
    """``_memo_py._AlruCacheWrapper`` over the compiled core, with its call compiled."""

    _cache_class = LRUCache


def alru_cache(maxsize=128, typed=False, *, ttl=None, jitter=None, key=None):
    """A drop-in for ``async_lru.alru_cache`` (async-lru 2.4.0; docs/contract.md section 6).

    Concurrent awaits of one key share one task; exceptions and cancellations are not
    cached; ``ttl`` (plus up to ``jitter``) seconds after a result it expires.
    """
    return _alru_cache(_AlruCacheWrapper, maxsize, typed, ttl, jitter, key)


# Where the vectorcall slot sits in an instance, measured on a blank one of each type.
cdef _LRUCacheWrapper _lru_probe = _LRUCacheWrapper.__new__(_LRUCacheWrapper)
cdef _CachedFunction _cached_probe = _CachedFunction.__new__(_CachedFunction)
cylru_enable_vectorcall(
    <PyTypeObject *>_LRUCacheWrapper,
    <char *>&_lru_probe.vectorcall - <char *><PyObject *>_lru_probe,
)
cylru_enable_vectorcall(
    <PyTypeObject *>_CachedFunction,
    <char *>&_cached_probe.vectorcall - <char *><PyObject *>_cached_probe,
)
_lru_probe = _cached_probe = None

__all__ = ["AlruCacheLoopResetWarning", "CacheInfo", "alru_cache", "cached", "lru_cache"]
