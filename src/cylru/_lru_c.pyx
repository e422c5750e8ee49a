# cython: language_level=3, freethreading_compatible=True, binding=False
# cython: embedsignature=True, embedsignature.format=clinic
# The compiler directives are set here and nowhere else (setup.py passes none).
# binding=False: methods are C method descriptors, the fastest to call; binding=True made a
# `get` hit 44-51% slower (bench/compare.py --quick: 0.94 -> 1.35 of dict.get on str keys,
# 0.98 -> 1.48 on int keys).  embedsignature.format=clinic writes each method's signature
# where inspect.signature and help() read it (__text_signature__); the class docstrings
# carry theirs in the same form ("Name(...)" then "--").  The one method whose signature
# that form cannot express (pop's sentinel default) is bound, alone: about 4 ns a call.
"""The compiled core of cylru: an open-addressing hash map threaded on a recency list.

Layout
------
``entries`` is one C array of ``Entry`` (key, value, the key's full hash, and the
prev/next indices of the recency list: 32 bytes).  Index 0 is the list's sentinel: its
``next`` is the least recent entry and its ``prev`` the most recent.  Freed
entries form a free list through ``next`` and are reused by the next insert, so
an evicting put allocates nothing.

``slots`` is the hash index: a power-of-two array of ``uint32``, at most half
full, probed linearly.  A slot packs three fields: the entry index in its low
``ix_bits`` bits, then four bits of distance from the key's home slot, then
hash bits.  The hash bits let a probe reject almost every non-matching slot
without touching the entry; the distance lets a deletion
shift later slots back without touching their entries either (which matters
once the table no longer fits in cache).  0 means empty (entry 0 is the
sentinel and is never indexed).  Deletion shifts instead of leaving
tombstones, so a cache that has evicted millions of times probes exactly like a
fresh one.

Home slots come from all 64 bits of the hash: ``_mix`` multiplies it by an odd
64-bit constant (multiplicative hashing) and keeps the top 32 bits of the product,
whose top bits pick the home slot and whose next bits fill the slot's hash
field.  A product's top bits depend on every bit of the hash, so families that
agree in some bits (``(i << 32) | i``, multiples of ``2**40``, packed pairs,
floats) spread like random hashes; ``_probe_stats()`` measures it and
tests/test_hash_families.py checks each family.  Two keys are compared with
``==`` only when their full hashes are equal, as in a dict (docs/contract.md
section 3).

Re-entrancy and threads
-----------------------
User code runs in five places: a key's ``__hash__``, a key's ``__eq__``, the
``weigher``, an ``__index__`` given as a bound, and ``on_evict`` (plus any
``__del__`` triggered by dropping a reference).  The rules that keep the
structure safe:

* ``__hash__``, the weigher and ``__index__`` run before the structure is touched.
* ``__eq__`` runs only inside ``_find``; it holds a strong reference to the key
  it compares and checks ``version`` (bumped by every structural change)
  afterwards, restarting the probe if the table changed, as dict does.
* While the first four run, the operation has an ``OpFrame`` (thread ident and
  a flag) on the cache's ``frames`` list.  A structural change flags the frames
  of its own thread only, so a lookup tells a change made from inside its own
  comparison (re-entrant: it may give up with RuntimeError) from one made by
  another thread (it restarts, however often); and ``__init__`` refuses to run
  while its thread has a frame on the list (docs/contract.md section 4).
* After ``_find`` returns, no user code runs until the change is complete, and
  nothing fails: memory for the references an eviction takes out is reserved
  first, so MemoryError means nothing changed.  References that the change
  drops are released only after the structure is consistent again;
  ``on_evict`` runs last, outside the critical section.
* The collector's clear (``_clear_for_gc``) removes entries one at a time and
  never calls a Python-level method, so no subclass override can keep a cycle.

On free-threaded CPython each public method takes the object's critical section
(``cython.critical_section``), so methods are atomic with respect to each other;
on the GIL build the GIL gives the same guarantee, since no user code runs in
the middle of a change.  If user code inside a critical section blocks, CPython
may suspend the section; the ``version`` check in ``_find`` covers that case too.
"""

cimport cython
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.object cimport PyObject, PyTypeObject
from cpython.pycapsule cimport PyCapsule_New
from cpython.ref cimport Py_DECREF, Py_INCREF, Py_XDECREF, Py_XINCREF
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memcpy, memset

import operator
import os
import sys
from collections.abc import Mapping, MutableMapping
from types import GenericAlias

from cylru._base import (
    Cache,
    CacheStats,
    CacheView,
    LRUItemsView,
    LRUKeysView,
    LRUValuesView,
)

cdef extern from "Python.h":
    int PyObject_RichCompareBool(PyObject *a, PyObject *b, int op) except -1
    int Py_EQ
    ctypedef int (*c_visitproc "visitproc")(PyObject *, void *) noexcept
    ctypedef int (*c_traverseproc "traverseproc")(PyObject *, c_visitproc, void *) noexcept
    ctypedef int (*c_inquiry "inquiry")(PyObject *) noexcept
    ctypedef struct GCSlots "PyTypeObject":
        c_traverseproc tp_traverse
        c_inquiry tp_clear
    PyTypeObject PyUnicode_Type
    PyTypeObject PyLong_Type
    PyTypeObject PyBytes_Type
    PyTypeObject *Py_TYPE(PyObject *)
    # Reference counting on borrowed C pointers, without Cython's temporaries.
    void _incref "Py_INCREF"(PyObject *)
    void _decref "Py_DECREF"(PyObject *)
    unsigned long PyThread_get_thread_ident() nogil
    PyTypeObject PyFloat_Type


ctypedef struct OpFrame:
    # One operation of this cache that is running user code (a key's __hash__ or
    # __eq__, the weigher, an __index__), on a thread's C stack.  The cache keeps
    # them on a list (``frames``) so that a structural change can tell the
    # operations of its own thread that it happened inside them, and ``__init__``
    # can refuse to run inside one (docs/contract.md section 4).
    OpFrame *outer
    unsigned long thread
    int changed         # the same thread changed the structure while this frame ran


ctypedef struct Evicted:
    PyObject *key
    PyObject *value


DEF EVICT_INLINE = 4

ctypedef struct EvictBuf:
    # The pairs one operation evicted, owned references, for on_evict after the
    # critical section.  Reserved before the structure changes, so running out of
    # memory never leaves a half-done eviction.
    Evicted *pairs
    Py_ssize_t n
    Evicted inline_pairs[EVICT_INLINE]


ctypedef struct Detached:
    # A table taken out of a cache whose references are still to be released.
    void *entries
    void *slots
    void *weights
    Py_ssize_t used


cdef extern from *:
    """
    #if PY_VERSION_HEX < 0x030B0000
    #include "longintrepr.h"
    #endif
    /* hash(o), computed inline for exact ints of at most two 30-bit digits:
       below 2**61 - 1 CPython's hash of an int is the int itself (-1 becomes
       -2), and skipping the call is a measurable share of a lookup. */
    static CYTHON_INLINE Py_hash_t cylru_hash(PyObject *o) {
    #if PyLong_SHIFT == 30 && SIZEOF_VOID_P == 8 && SIZEOF_PY_HASH_T == 8
        if (PyLong_CheckExact(o)) {
        #if PY_VERSION_HEX >= 0x030C0000
            uintptr_t lv_tag = ((PyLongObject *)o)->long_value.lv_tag;
            Py_ssize_t ndigits = (Py_ssize_t)(lv_tag >> 3);
            const digit *d = ((PyLongObject *)o)->long_value.ob_digit;
            int negative = (lv_tag & 3) == 2;
        #else
            Py_ssize_t size = Py_SIZE(o);
            Py_ssize_t ndigits = size < 0 ? -size : size;
            const digit *d = ((PyLongObject *)o)->ob_digit;
            int negative = size < 0;
        #endif
            if (ndigits <= 2) {
                uint64_t v = ndigits == 0 ? 0 : (ndigits == 1 ? (uint64_t)d[0]
                             : (((uint64_t)d[1] << 30) | (uint64_t)d[0]));
                Py_hash_t h = negative ? -(Py_hash_t)v : (Py_hash_t)v;
                return h == -1 ? -2 : h;
            }
        }
    #endif
        return PyObject_Hash(o);
    }
    """
    Py_hash_t cylru_hash(object o) except? -1


cdef extern from *:
    """
    /* The first exception of several callbacks, kept with the C API so that keeping
       it allocates nothing (a MemoryError may be what it keeps). */
    typedef struct { PyObject *type, *value, *tb; } cylru_first_error;

    static void cylru_keep_error(cylru_first_error *first) {
        if (first->type == NULL && first->value == NULL) {
    #if PY_VERSION_HEX >= 0x030C0000
            first->value = PyErr_GetRaisedException();
    #else
            PyErr_Fetch(&first->type, &first->value, &first->tb);
    #endif
        } else {
            PyErr_Clear();
        }
    }

    static int cylru_raise_kept(cylru_first_error *first) {
        if (first->type == NULL && first->value == NULL) return 0;
    #if PY_VERSION_HEX >= 0x030C0000
        PyErr_SetRaisedException(first->value);
    #else
        PyErr_Restore(first->type, first->value, first->tb);
    #endif
        first->type = first->value = first->tb = NULL;
        return -1;
    }

    /* callback(value) or callback(key, value); 0, or -1 with the error kept in *first. */
    static void cylru_call_evicted(PyObject *callback, PyObject *key, PyObject *value,
                                   int value_only, cylru_first_error *first) {
        PyObject *args[2] = {key, value};
        PyObject *result = value_only ? PyObject_Vectorcall(callback, args + 1, 1, NULL)
                                      : PyObject_Vectorcall(callback, args, 2, NULL);
        if (result == NULL) cylru_keep_error(first);
        else Py_DECREF(result);
    }
    """
    ctypedef struct cylru_first_error:
        PyObject *type
        PyObject *value
        PyObject *tb
    void cylru_call_evicted(PyObject *callback, PyObject *key, PyObject *value,
                            int value_only, cylru_first_error *first) noexcept
    int cylru_raise_kept(cylru_first_error *first) except -1


ctypedef struct Entry:
    PyObject *key       # NULL: free (or the sentinel)
    PyObject *value
    Py_hash_t hash      # the key's full hash
    uint32_t prev
    uint32_t next


# A slot needs ix_bits + DIST_BITS + at least one hash bit, so a table holds at
# most 2**27 - 1 entries (a 4 GiB entry array).
DEF MAX_ENTRIES = (1 << 27) - 1
DEF DIST_BITS = 4
DEF DIST_MAX = 15            # a stored 15 means ">= 15: ask the entry's hash"
DEF MIN_ALLOC = 7            # entries besides the sentinel in a fresh table
DEF MAX_EQ_RESTARTS = 100
DEF SPARSER_LIMIT = 1 << 12   # tables below this many entries are an eighth full
DEF SPARSE_LIMIT = 1 << 16    # and below this many, a quarter

cdef object _MISSING = object()
cdef str _UNWEIGHTED_MAX_WEIGHT = (
    "max_weight can only be changed on a cache created with max_weight"
)

cdef PyTypeObject *_safe_eq_types[3]
_safe_eq_types[0] = &PyUnicode_Type
_safe_eq_types[1] = &PyLong_Type
_safe_eq_types[2] = &PyBytes_Type


cdef inline uint32_t _mix(Py_hash_t h, uint64_t key) noexcept nogil:
    """The top 32 bits of a keyed mix of ``h``: every hash bit reaches them.

    ``h`` times an odd constant spreads the families of
    tests/test_hash_families.py (of the well-known constants measured, this one
    keeps every family's mean probe closest to random hashes'; the golden ratio
    leaves ``(i << 32) | i`` at 2.4 times it, at half load).  A fixed public
    multiplier alone can be attacked: the ints ``t * inverse(constant)`` all mix to
    the same top bits.  So the product is xored with the cache's ``mix_key`` (a
    per-process secret, like str hash randomisation) and multiplied again; without
    the key no family can be aimed at one home slot.
    """
    cdef uint64_t x = (<uint64_t>h * <uint64_t>0xD6E8FEB86659FD93ULL) ^ key
    return <uint32_t>((x * <uint64_t>0x9E3779B97F4A7C15ULL) >> 32)


cdef uint64_t _splitmix64(uint64_t x) noexcept nogil:
    x += <uint64_t>0x9E3779B97F4A7C15ULL
    x = (x ^ (x >> 30)) * <uint64_t>0xBF58476D1CE4E5B9ULL
    x = (x ^ (x >> 27)) * <uint64_t>0x94D049BB133111EBULL
    return x ^ (x >> 31)


cdef uint64_t _process_mix_key():
    """The key new caches take: random per process, as str hashes are; derived from
    PYTHONHASHSEED when that is set to a number, so a run can be reproduced."""
    seed = os.environ.get("PYTHONHASHSEED", "")
    if seed.isdigit():
        return _splitmix64(<uint64_t>(int(seed) & 0xFFFFFFFFFFFFFFFF))
    return int.from_bytes(os.urandom(8), "little")


# Read by each new cache when it is created; a cache keeps its key for life.
cdef uint64_t _next_mix_key = _process_mix_key()


def _set_mix_key(key):
    """Set the mix key of caches created from now on; return the previous one.

    Private, for the tests: the family bounds are checked under fixed keys, and the
    attack on an unkeyed mix is shown with key 0.
    """
    global _next_mix_key
    previous = _next_mix_key
    _next_mix_key = <uint64_t>(key & 0xFFFFFFFFFFFFFFFF)
    return previous


cdef inline bint _eq_runs_no_user_code(PyObject *a, PyObject *b) noexcept:
    """True when comparing ``a == b`` cannot call Python code (exact str/int/bytes)."""
    cdef PyTypeObject *t = Py_TYPE(a)
    if t != Py_TYPE(b):
        return False
    return t == _safe_eq_types[0] or t == _safe_eq_types[1] or t == _safe_eq_types[2]


cdef inline bint _hash_runs_no_user_code(object key) noexcept:
    """True when ``hash(key)`` cannot call Python code (exact str/int/bytes/float)."""
    cdef PyTypeObject *t = Py_TYPE(<PyObject *>key)
    return (t == &PyUnicode_Type or t == &PyLong_Type or t == &PyBytes_Type
            or t == &PyFloat_Type)


cdef Py_ssize_t _as_size(object value, str name) except? -1:
    """``operator.index(value)`` as a Py_ssize_t, with errors that name the argument."""
    try:
        number = operator.index(value)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(value).__name__!r}") from None
    if number > sys.maxsize:
        raise ValueError(f"{name} must be at most sys.maxsize ({sys.maxsize}), got {number}")
    if number < -sys.maxsize - 1:
        raise ValueError(f"{name} must be at least {-sys.maxsize - 1}, got {number}")
    return number


cdef Py_ssize_t _as_max_weight(object value) except -2:
    """Validate ``max_weight``: None (-1, unweighted) or an int in [0, sys.maxsize]."""
    if value is None:
        return -1
    cdef Py_ssize_t number = _as_size(value, "max_weight")
    if number < 0:
        raise ValueError(f"max_weight must be >= 0, got {number}")
    return number


cdef object _as_callback(object value, str name):
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, not {type(value).__name__!r}")
    return value


# Locking, method by method (free-threaded builds; on the GIL build the same
# reasoning holds with "critical section" read as "stretch with no Python code"):
#
# * get / __getitem__ / peek / __contains__ / pop / popitem / setdefault's probe:
#   the key is hashed before the section; inside it only _find runs user code
#   (__eq__, which restarts the probe if ``version`` moved) and then a pure-C
#   promote or _remove.  References dropped by pop/popitem are released after.
# * _store (put, __setitem__, setdefault, update): hash and weigher run first,
#   outside; inside, _find, then the one allocation (growing the table, or room
#   for the references of extra weighted evictions) before anything changes,
#   then pure C.  The replaced value and evicted pairs are released and on_evict
#   called after the section.
# * clear / _set_bounds (capacity, max_weight): swap or evict inside, release
#   references and call on_evict after.
# * stats / clear_stats / copy: read or copy fields under the section.
# * __len__ and the property getters read one aligned word without the section:
#   a racy read gives an old or a new value, never a torn one.
# * _Iterator: each step takes the cache's section, checks ``version`` and reads
#   one entry, so a concurrent change makes it raise RuntimeError, never read
#   freed memory.
# * frames (OpFrame): pushed, popped and walked only under the section.
# * __init__ runs its reset under the section; re-initialising a cache that other
#   threads use is allowed but clears it (only its own thread's operations in
#   progress make it refuse).
cdef class LRUCache:
    """LRUCache(capacity, on_evict=None, *, max_weight=None, weigher=None)
--

    A mapping that holds at most ``capacity`` entries and evicts the least recently
    used ones to make room, calling ``on_evict(key, value)`` for each.

    ``get``, ``c[k]``, ``put``, ``c[k] = v``, ``setdefault`` and ``update`` make an
    entry the most recent; ``peek``, ``in``, iteration and the views do not.  Hits and
    misses count ``get`` and ``c[k]`` only; ``evictions`` counts the entries removed to
    make room.  With ``max_weight`` set, each value weighs ``weigher(value)`` (an int
    >= 0; default 1) and least recent entries are also evicted until the total weight
    is at most ``max_weight``.  Every method is atomic with respect to other threads,
    on free-threaded CPython too.
    """

    cdef Entry *entries
    cdef uint32_t *slots
    cdef Py_ssize_t *weights        # per-entry weight, NULL on an unweighted cache
    cdef Py_ssize_t alloc           # usable entries (indices 1..alloc)
    cdef Py_ssize_t used            # entries 1..used have been handed out at least once
    cdef uint32_t free_head         # first free entry, 0 when none
    cdef Py_ssize_t size
    cdef size_t slot_mask           # len(slots) - 1
    cdef uint32_t slot_shift        # 32 - log2(len(slots))
    cdef uint32_t ix_bits
    cdef uint32_t ix_mask
    cdef uint32_t tag_shift         # ix_bits + DIST_BITS
    cdef uint32_t tag_mask          # the slot bits that hold hash bits
    cdef uint32_t home_bits         # log2(len(slots)) = 32 - slot_shift
    cdef uint64_t version           # bumped by every insert, removal and rebuild
    cdef uint64_t mix_key           # _mix's key, fixed for the cache's life
    cdef uint64_t moves             # bumped by every promotion that moves an entry
    cdef uint32_t last_moved        # the entry the last such promotion moved
    cdef OpFrame *frames            # operations running user code, innermost first
    cdef Py_ssize_t _capacity
    cdef Py_ssize_t _max_weight     # -1: unweighted
    cdef size_t _weight             # unsigned: max_weight + one new weight cannot overflow
    cdef object _on_evict
    cdef object _weigher
    cdef bint _value_only           # SimpleLRUCache: on_evict(value)
    cdef unsigned long long hits
    cdef unsigned long long misses
    cdef unsigned long long evictions
    cdef object __weakref__

    def __cinit__(self, *args, **kwargs):
        self._max_weight = -1
        self.mix_key = _next_mix_key
        if self._allocate(MIN_ALLOC, False) < 0:
            raise MemoryError()

    def __init__(self, capacity, on_evict=None, *, max_weight=None, weigher=None):
        cdef Py_ssize_t cap, mw
        cdef OpFrame frame
        # From inside one of this cache's own operations (a key's __hash__/__eq__,
        # the weigher, an __index__) re-initialising would pull the table out from
        # under that operation: refused, nothing changed (docs/contract.md section 4).
        # Another thread's operation is not ours: re-initialising simply clears it.
        cdef bint inside
        with cython.critical_section(self):
            inside = self._in_own_operation()
            if not inside:
                self._push_frame(&frame)    # an argument's __index__ may try it too
        if inside:
            raise RuntimeError(
                f"{type(self).__name__}.__init__ called during an operation on the same cache"
            )
        try:
            cap = _as_size(capacity, "capacity")
            _as_callback(on_evict, "on_evict")
            mw = _as_max_weight(max_weight)
            _as_callback(weigher, "weigher")
            if weigher is not None and mw < 0:
                raise ValueError("weigher requires max_weight")
        finally:
            with cython.critical_section(self):
                self._pop_frame(&frame)
        cdef Detached old
        old.entries = old.slots = old.weights = NULL
        old.used = 0
        # Re-initialising empties the cache and its stats; the new settings are in
        # place before the old entries are released (their __del__ may use the cache).
        with cython.critical_section(self):
            if self.size or (self.weights != NULL) != (mw >= 0):
                self._detach_table(mw >= 0, &old)
            self._capacity = cap
            self._on_evict = on_evict
            self._max_weight = mw
            self._weigher = weigher
            self.hits = self.misses = self.evictions = 0
        self._release_detached(&old)

    def __dealloc__(self):
        self._release_table(self.entries, self.used)
        PyMem_Free(self.slots)
        PyMem_Free(self.weights)

    # ------------------------------------------------------------------
    # Table primitives: pure C, no Python code runs inside them.

    @cython.final
    cdef int _allocate(self, Py_ssize_t alloc, bint weighted) noexcept:
        """Install fresh empty arrays for ``alloc`` entries; -1 when out of memory.

        The old arrays are not freed: the caller owns them.
        """
        cdef size_t nslots = 8
        cdef uint32_t bits = 3
        # At most half full.  Smaller tables are kept emptier (an eighth, then a
        # quarter), where the extra slots cost little memory: shorter probe runs
        # and deletion shifts mean fewer mispredicted branches per operation.
        cdef size_t spread = 8 if alloc < SPARSER_LIMIT else (4 if alloc < SPARSE_LIMIT else 2)
        cdef size_t wanted = spread * <size_t>(alloc + 1)
        while nslots < wanted:
            nslots <<= 1
            bits += 1
        cdef Entry *entries = <Entry *>PyMem_Malloc((alloc + 1) * sizeof(Entry))
        cdef uint32_t *slots = <uint32_t *>PyMem_Malloc(nslots * sizeof(uint32_t))
        cdef Py_ssize_t *weights = NULL
        if weighted:
            weights = <Py_ssize_t *>PyMem_Malloc((alloc + 1) * sizeof(Py_ssize_t))
        if entries == NULL or slots == NULL or (weighted and weights == NULL):
            PyMem_Free(entries)
            PyMem_Free(slots)
            PyMem_Free(weights)
            return -1
        memset(slots, 0, nslots * sizeof(uint32_t))
        entries[0].key = NULL
        entries[0].value = NULL
        entries[0].prev = 0
        entries[0].next = 0
        self.entries = entries
        self.slots = slots
        self.weights = weights
        self.alloc = alloc
        self.used = 0
        self.free_head = 0
        self.size = 0
        self.slot_mask = nslots - 1
        self.slot_shift = 32 - bits
        self.home_bits = bits
        self.ix_bits = 1
        while (<Py_ssize_t>1 << self.ix_bits) <= alloc:
            self.ix_bits += 1
        self.ix_mask = (<uint32_t>1 << self.ix_bits) - 1
        self.tag_shift = self.ix_bits + DIST_BITS
        self.tag_mask = ~((<uint32_t>1 << self.tag_shift) - 1)
        return 0

    @cython.final
    cdef inline size_t _home(self, uint32_t mixed) noexcept nogil:
        return <size_t>(mixed >> self.slot_shift)

    @cython.final
    cdef inline uint32_t _hash_field(self, uint32_t mixed) noexcept nogil:
        """A slot's hash bits: the mixed bits just below those that chose the home slot."""
        return (mixed << self.home_bits) & self.tag_mask

    @cython.final
    cdef inline size_t _empty_slot(self, uint32_t mixed) noexcept nogil:
        cdef size_t i = self._home(mixed)
        while self.slots[i] != 0:
            i = (i + 1) & self.slot_mask
        return i

    @cython.final
    cdef inline void _index_at(self, size_t slot, uint32_t ix) noexcept nogil:
        cdef uint32_t mixed = _mix(self.entries[ix].hash, self.mix_key)
        cdef size_t dist = (slot - self._home(mixed)) & self.slot_mask
        if dist > DIST_MAX:
            dist = DIST_MAX
        self.slots[slot] = ix | (<uint32_t>dist << self.ix_bits) | self._hash_field(mixed)

    @cython.final
    cdef size_t _slot_of(self, uint32_t ix) noexcept nogil:
        """The slot that indexes entry ``ix`` (which must be live)."""
        cdef size_t i = self._home(_mix(self.entries[ix].hash, self.mix_key))
        while (self.slots[i] & self.ix_mask) != ix:
            i = (i + 1) & self.slot_mask
        return i

    @cython.final
    cdef size_t _unindex(self, size_t hole) noexcept nogil:
        """Empty slot ``hole`` and shift later slots of its run back (no tombstones).

        Returns the slot left empty at the end of the shift.
        """
        cdef size_t mask = self.slot_mask
        cdef size_t j = hole
        cdef size_t dist, gap
        cdef uint32_t s
        cdef uint32_t dist_field = <uint32_t>DIST_MAX << self.ix_bits
        while True:
            j = (j + 1) & mask
            s = self.slots[j]
            if s == 0:
                break
            dist = (s & dist_field) >> self.ix_bits
            if dist == DIST_MAX:
                dist = (j - self._home(_mix(self.entries[s & self.ix_mask].hash,
                                            self.mix_key))) & mask
            gap = (j - hole) & mask
            # Move the slot back unless its home lies cyclically in (hole, j].
            if dist >= gap:
                dist -= gap
                if dist > DIST_MAX:
                    dist = DIST_MAX
                self.slots[hole] = (s & ~dist_field) | (<uint32_t>dist << self.ix_bits)
                hole = j
        self.slots[hole] = 0
        return hole

    @cython.final
    cdef inline void _unlink(self, uint32_t ix) noexcept nogil:
        cdef Entry *e = self.entries
        e[e[ix].prev].next = e[ix].next
        e[e[ix].next].prev = e[ix].prev

    @cython.final
    cdef inline void _link_newest(self, uint32_t ix) noexcept nogil:
        cdef Entry *e = self.entries
        cdef uint32_t newest = e[0].prev
        e[ix].prev = newest
        e[ix].next = 0
        e[newest].next = ix
        e[0].prev = ix

    @cython.final
    cdef inline void _promote(self, uint32_t ix) noexcept nogil:
        if self.entries[0].prev != ix:
            self._unlink(ix)
            self._link_newest(ix)
            self.moves += 1         # iterators read these (see _Iterator)
            self.last_moved = ix

    @cython.final
    cdef size_t _remove(self, size_t slot, uint32_t ix) noexcept nogil:
        """Take entry ``ix`` out of the table; its key/value references pass to the caller.

        Returns the slot the deletion left empty (see ``_unindex``).
        """
        cdef size_t hole = self._unindex(slot)
        self._unlink(ix)
        if self.weights != NULL:
            self._weight -= <size_t>self.weights[ix]
        self.entries[ix].key = NULL
        self.entries[ix].value = NULL
        self.entries[ix].next = self.free_head
        self.free_head = ix
        self.size -= 1
        self._changed()
        return hole

    @cython.final
    cdef uint32_t _new_entry(self) noexcept nogil:
        """An unused entry index (0 when the array is full)."""
        cdef uint32_t ix = self.free_head
        if ix != 0:
            self.free_head = self.entries[ix].next
            return ix
        if self.used < self.alloc:
            self.used += 1
            return <uint32_t>self.used
        return 0

    @cython.final
    cdef int _rebuild(self, Py_ssize_t new_alloc) except -1:
        """Move the entries, oldest first, into fresh arrays for ``new_alloc`` entries."""
        cdef Entry *old = self.entries
        cdef uint32_t *old_slots = self.slots
        cdef Py_ssize_t *old_weights = self.weights
        cdef Py_ssize_t n = self.size
        cdef uint64_t version = self.version
        cdef size_t weight = self._weight
        if self._allocate(new_alloc, old_weights != NULL) < 0:
            raise MemoryError()
        cdef Entry *e = self.entries
        cdef uint32_t ix = old[0].next
        cdef uint32_t k = 0
        while ix != 0:
            k += 1
            e[k] = old[ix]
            e[k].prev = k - 1
            e[k].next = k + 1
            if old_weights != NULL:
                self.weights[k] = old_weights[ix]
            self._index_at(self._empty_slot(_mix(e[k].hash, self.mix_key)), k)
            ix = old[ix].next
        e[0].next = 1 if k else 0
        e[0].prev = k
        e[k].next = 0
        self.used = k
        self.size = n
        self._weight = weight
        self.version = version
        self._changed()
        PyMem_Free(old)
        PyMem_Free(old_slots)
        PyMem_Free(old_weights)
        return 0

    @cython.final
    cdef int _make_room(self) except -1:
        """Make sure ``_new_entry`` will succeed; 1 when the arrays were rebuilt to grow."""
        if self.free_head != 0 or self.used < self.alloc:
            return 0
        cdef Py_ssize_t limit = min(self._capacity, MAX_ENTRIES)
        if self.alloc >= limit:
            raise MemoryError(f"cylru holds at most {MAX_ENTRIES} entries")
        self._rebuild(min(max(2 * self.alloc + 1, MIN_ALLOC), limit))
        return 1

    @cython.final
    cdef void _release_table(self, Entry *entries, Py_ssize_t used) noexcept:
        """Drop the references held by a detached entry array and free it."""
        cdef Py_ssize_t i
        if entries == NULL:
            return
        for i in range(1, used + 1):
            Py_XDECREF(entries[i].key)
            Py_XDECREF(entries[i].value)
        PyMem_Free(entries)

    # ------------------------------------------------------------------
    # Operations in progress.  Every frame is pushed, popped and read under the
    # critical section (on the GIL build: with no Python code in between).  While
    # its thread runs user code the section may be suspended, so other threads'
    # frames come and go around it; hence the search in _pop_frame.

    @cython.final
    cdef inline void _push_frame(self, OpFrame *frame) noexcept:
        frame.thread = PyThread_get_thread_ident()
        frame.changed = 0
        frame.outer = self.frames
        self.frames = frame

    @cython.final
    cdef void _pop_frame(self, OpFrame *frame) noexcept:
        cdef OpFrame **link = &self.frames
        while link[0] != NULL:
            if link[0] == frame:
                link[0] = frame.outer
                return
            link = &link[0].outer

    @cython.final
    cdef bint _in_own_operation(self) noexcept:
        """True when this thread is inside an operation of this cache that runs user code."""
        cdef OpFrame *frame = self.frames
        cdef unsigned long me
        if frame == NULL:
            return False
        me = PyThread_get_thread_ident()
        while frame != NULL:
            if frame.thread == me:
                return True
            frame = frame.outer
        return False

    @cython.final
    cdef inline void _changed(self) noexcept nogil:
        """Record a structural change: iterators and lookups in progress see ``version``."""
        self.version += 1
        if self.frames != NULL:
            self._flag_own_frames()

    @cython.final
    cdef void _flag_own_frames(self) noexcept nogil:
        # Only this thread's frames: a change made from inside a comparison is
        # re-entrant, one made by another thread is not (the lookup just restarts).
        cdef unsigned long me = PyThread_get_thread_ident()
        cdef OpFrame *frame = self.frames
        while frame != NULL:
            if frame.thread == me:
                frame.changed = 1
            frame = frame.outer

    @cython.final
    cdef inline Py_hash_t _key_hash(self, object key) except? -1:
        """``hash(key)``; a key whose hash may run Python code is hashed inside a frame."""
        if _hash_runs_no_user_code(key):
            return cylru_hash(key)
        return self._hash_in_frame(key)

    @cython.final
    cdef Py_hash_t _hash_in_frame(self, object key) except? -1:
        cdef OpFrame frame
        with cython.critical_section(self):
            self._push_frame(&frame)
        try:
            return cylru_hash(key)
        finally:
            with cython.critical_section(self):
                self._pop_frame(&frame)

    @cython.final
    cdef Py_ssize_t _bound_in_frame(self, object value, str name) except? -1:
        """``_as_size(value, name)``; an object's ``__index__`` runs inside a frame."""
        if type(value) is int:
            return _as_size(value, name)
        cdef OpFrame frame
        with cython.critical_section(self):
            self._push_frame(&frame)
        try:
            return _as_size(value, name)
        finally:
            with cython.critical_section(self):
                self._pop_frame(&frame)

    # ------------------------------------------------------------------
    # Lookup: the only place a key's __eq__ runs.

    @cython.final
    cdef inline Py_ssize_t _find(self, object key, Py_hash_t h, size_t *slot_out) except -2:
        """Entry index of ``key`` (its slot in ``*slot_out``), or -1 when absent.

        On a miss ``*slot_out`` is the empty slot where ``key`` would go.  This
        loop settles identity hits, misses and equal exact str/int/bytes keys; the
        first stored key whose ``==`` may run Python code hands over to
        ``_find_by_equality``.
        """
        cdef uint32_t mixed = _mix(h, self.mix_key)
        cdef size_t i = self._home(mixed)
        cdef uint32_t tagbits = self._hash_field(mixed)
        cdef uint32_t s, ix
        while True:
            s = self.slots[i]
            if s == 0:
                slot_out[0] = i
                return -1
            if (s & self.tag_mask) == tagbits:
                ix = s & self.ix_mask
                if self.entries[ix].key == <PyObject *>key:
                    slot_out[0] = i
                    return ix
                if self.entries[ix].hash == h:
                    # Equal exact str/int/bytes compare here (no user code, nothing
                    # to restart); any other key type goes to the careful loop.
                    if not _eq_runs_no_user_code(self.entries[ix].key, <PyObject *>key):
                        return self._find_by_equality(key, h, slot_out)
                    if PyObject_RichCompareBool(self.entries[ix].key, <PyObject *>key, Py_EQ):
                        slot_out[0] = i
                        return ix
            i = (i + 1) & self.slot_mask

    @cython.final
    cdef Py_ssize_t _find_by_equality(self, object key, Py_hash_t h, size_t *slot_out) except -2:
        """``_find`` for keys that need ``==``: the only place a key's ``__eq__`` runs.

        A user ``__eq__`` may change the table; then the probe starts again, like
        dict's lookup.  A change made by another thread (the section is suspended
        while ``__eq__`` blocks) restarts it however often it happens: that thread
        makes progress.  Only a change made from inside the comparison itself, by
        this thread, counts towards the RuntimeError (docs/contract.md section 4).
        """
        cdef OpFrame frame
        frame.changed = -1                      # not pushed (yet)
        try:
            return self._probe_comparing(key, h, slot_out, &frame)
        finally:
            if frame.changed >= 0:
                self._pop_frame(&frame)

    @cython.final
    cdef Py_ssize_t _probe_comparing(self, object key, Py_hash_t h, size_t *slot_out,
                                     OpFrame *frame) except -2:
        cdef PyObject *k = <PyObject *>key
        cdef PyObject *stored
        cdef size_t i
        cdef uint32_t s, ix
        cdef uint32_t mixed = _mix(h, self.mix_key)
        cdef uint32_t tagbits
        cdef uint64_t version
        cdef int equal
        cdef int own_restarts = 0
        while True:
            i = self._home(mixed)
            tagbits = self._hash_field(mixed)   # a rebuild may have changed the table's shape
            while True:
                s = self.slots[i]
                if s == 0:
                    slot_out[0] = i
                    return -1
                if (s & self.tag_mask) == tagbits:
                    ix = s & self.ix_mask
                    stored = self.entries[ix].key
                    if stored == k:
                        slot_out[0] = i
                        return ix
                    if self.entries[ix].hash == h:
                        if _eq_runs_no_user_code(stored, k):
                            equal = PyObject_RichCompareBool(stored, k, Py_EQ)
                        else:
                            if frame.changed < 0:
                                self._push_frame(frame)   # pushed once, on the first user __eq__
                            version = self.version
                            Py_INCREF(<object>stored)
                            try:
                                equal = PyObject_RichCompareBool(stored, k, Py_EQ)
                            finally:
                                Py_DECREF(<object>stored)
                            if self.version != version:
                                break    # the table changed under us: start again
                        if equal:
                            slot_out[0] = i
                            return ix
                i = (i + 1) & self.slot_mask
            if frame.changed > 0:
                frame.changed = 0
                own_restarts += 1
                if own_restarts > MAX_EQ_RESTARTS:
                    raise RuntimeError(f"{type(self).__name__} changed during a key comparison")

    # ------------------------------------------------------------------
    # Changes that may evict.  Evicted references come back to the caller,
    # which runs the callbacks after leaving the critical section.

    @cython.final
    cdef Py_ssize_t _weigh(self, object value) except -1:
        """``weigher(value)``, validated; the weigher runs inside a frame."""
        cdef object weigher
        cdef OpFrame frame
        with cython.critical_section(self):
            weigher = self._weigher     # a strong reference: re-initialising may replace it
            if weigher is not None:
                self._push_frame(&frame)
        if weigher is None:
            return 1
        try:
            result = weigher(value)
        finally:
            with cython.critical_section(self):
                self._pop_frame(&frame)
        try:
            w = operator.index(result)
        except TypeError:
            raise TypeError(
                f"weigher must return an int, not {type(result).__name__!r}"
            ) from None
        if w < 0:
            raise ValueError(f"weigher returned a negative weight ({w})")
        if self.weights != NULL and w > self._max_weight:
            raise ValueError(f"value weighs {w}, more than max_weight={self._max_weight}")
        return w

    # Evictions.  An operation first counts the entries it must evict and reserves
    # room for their references (on the C stack for a few, else on the heap); only
    # then does it change anything.  Out of memory therefore means "nothing
    # changed", never "some entries evicted without their on_evict".

    @cython.final
    cdef Py_ssize_t _plan_evictions(self, Py_ssize_t capacity, Py_ssize_t max_weight,
                                    Py_ssize_t size, size_t weight,
                                    uint32_t skip1, uint32_t skip2) noexcept nogil:
        """How many least recent entries must go so that ``size <= capacity`` and
        ``weight <= max_weight`` (-1: no weight bound), given a size and weight
        after a change, and the entries ``skip1``/``skip2`` (0: none) that the
        change makes most recent."""
        cdef Entry *e = self.entries
        cdef uint32_t ix = e[0].next
        cdef Py_ssize_t n = 0
        cdef bint weighted = self.weights != NULL and max_weight >= 0
        if capacity < 0:
            capacity = 0
        while ix != 0 and (size > capacity or (weighted and weight > <size_t>max_weight)):
            if ix != skip1 and ix != skip2:
                size -= 1
                if weighted:
                    weight -= <size_t>self.weights[ix]
                n += 1
            ix = e[ix].next
        return n

    @cython.final
    cdef int _reserve(self, EvictBuf *evicted, Py_ssize_t n) except -1:
        evicted.n = 0
        evicted.pairs = evicted.inline_pairs
        if n > EVICT_INLINE:
            evicted.pairs = <Evicted *>PyMem_Malloc(n * sizeof(Evicted))
            if evicted.pairs == NULL:
                evicted.pairs = evicted.inline_pairs
                raise MemoryError()
        return 0

    @cython.final
    cdef void _evict_into(self, EvictBuf *evicted, Py_ssize_t n) noexcept nogil:
        """Evict the ``n`` least recent entries; their references pass to ``evicted``."""
        cdef uint32_t ix
        cdef Py_ssize_t _i
        for _i in range(n):
            ix = self.entries[0].next
            evicted.pairs[evicted.n].key = self.entries[ix].key
            evicted.pairs[evicted.n].value = self.entries[ix].value
            evicted.n += 1
            self._remove(self._slot_of(ix), ix)
        self.evictions += <unsigned long long>n

    @cython.final
    cdef int _notify(self, object callback, PyObject *lru_key, PyObject *lru_value,
                     EvictBuf *evicted) except -1:
        """Call back for the evicted pairs (``lru_key`` first, when set), dropping
        their references; every callback runs, the first error is raised at the end.

        In C: catching and keeping an exception here must not allocate (it may be
        a MemoryError), and must not skip a pair.
        """
        cdef Py_ssize_t i
        cdef cylru_first_error first
        first.type = first.value = first.tb = NULL
        if lru_key != NULL:
            self._call_back(callback, lru_key, lru_value, &first)
        for i in range(evicted.n):
            self._call_back(callback, evicted.pairs[i].key, evicted.pairs[i].value, &first)
        if evicted.pairs != evicted.inline_pairs:
            PyMem_Free(evicted.pairs)
        evicted.pairs = evicted.inline_pairs
        evicted.n = 0
        return cylru_raise_kept(&first)

    @cython.final
    cdef void _call_back(self, object callback, PyObject *k, PyObject *v,
                         cylru_first_error *first) noexcept:
        """``callback`` for one evicted pair, then drop the pair's references."""
        if callback is not None:
            cylru_call_evicted(<PyObject *>callback, k, v, self._value_only, first)
        _decref(k)
        _decref(v)

    @cython.final
    cdef int _store(self, object key, object value, bint replace,
                    PyObject **existing) except -1:
        """``put`` (replace=True) or ``setdefault`` (replace=False).

        For setdefault, a key already present is only promoted, and ``*existing``
        receives a new reference to its value (it stays NULL when ``value`` was stored).
        """
        if self._capacity <= 0:
            return 0                # stores nothing: not even hashed or weighed
        return self._store_with_hash(key, self._key_hash(key), value, replace, existing)

    @cython.final
    cdef inline int _store_with_hash(self, object key, Py_hash_t h, object value, bint replace,
                                     PyObject **existing) except -1:
        """``_store`` with ``h == hash(key)`` already computed (the memoizers hash once)."""
        # hash(key) and the weigher are user code: they run before the structure is
        # touched, and may change the bounds (read again under the section).
        cdef bint weighted = self.weights != NULL
        cdef Py_ssize_t w = self._weigh(value) if weighted else 0
        while self._store_hashed(key, h, value, weighted, w, replace, existing):
            # Another thread re-initialised the cache from weighted to unweighted
            # or back while the weigher ran: weigh again for the table now there.
            weighted = self.weights != NULL
            w = self._weigh(value) if weighted else 0
        return 0

    @cython.final
    cdef inline int _store_hashed(self, object key, Py_hash_t h, object value, bint weighted,
                                  Py_ssize_t w, bint replace, PyObject **existing) except -1:
        """The critical part of ``_store``: 1 when it must weigh again, else 0."""
        cdef size_t slot, hole, home
        cdef Py_ssize_t found, n_extra = 0
        cdef uint32_t ix
        cdef uint32_t lru = 0              # full: the least recent entry, reused for the key
        cdef PyObject *old_value = NULL
        cdef PyObject *lru_key = NULL      # the usual single eviction, kept off the heap
        cdef PyObject *lru_value = NULL
        cdef EvictBuf extra                # further evictions (weighted caches only)
        cdef object callback = None
        cdef size_t new_weight
        extra.pairs = extra.inline_pairs
        extra.n = 0
        with cython.critical_section(self):
            found = self._find(key, h, &slot)
            # Other threads, or a key's __eq__ inside _find, may have changed the
            # bounds since they were read: check them now, before any change.
            if self._capacity <= 0:
                return 0
            if (self.weights != NULL) != weighted:
                return 1
            if weighted and w > self._max_weight:
                raise ValueError(f"value weighs {w}, more than max_weight={self._max_weight}")
            if found <= 0:
                if self.size >= self._capacity:
                    lru = self.entries[0].next
                elif self._make_room():
                    slot = self._empty_slot(_mix(h, self.mix_key))     # the index was rebuilt
            if weighted and (found <= 0 or replace):
                new_weight = self._weight + <size_t>w
                if found > 0:
                    new_weight -= <size_t>self.weights[found]
                if lru:
                    new_weight -= <size_t>self.weights[lru]
                n_extra = self._plan_evictions(
                    self._capacity, self._max_weight,
                    self.size + (0 if found > 0 or lru else 1), new_weight,
                    <uint32_t>found if found > 0 else 0, lru,
                )
                if n_extra:
                    self._reserve(&extra, n_extra)   # MemoryError: nothing changed
            # Nothing below fails or runs Python code until the change is complete.
            if found > 0:
                ix = <uint32_t>found
                if replace:
                    old_value = self.entries[ix].value
                    Py_INCREF(value)
                    self.entries[ix].value = <PyObject *>value
                    if weighted:
                        self._weight += <size_t>w - <size_t>self.weights[ix]
                        self.weights[ix] = w
                else:
                    existing[0] = self.entries[ix].value
                    _incref(existing[0])
                self._promote(ix)
            else:
                # Evicting shifts slots back and growing rebuilds the index:
                # either way the empty slot _find gave may have moved.
                if lru:
                    # Full: the least recent entry goes, and its array entry is
                    # reused for the new key, moved to the newest end.
                    ix = lru
                    lru_key = self.entries[ix].key
                    lru_value = self.entries[ix].value
                    hole = self._unindex(self._slot_of(ix))
                    if weighted:
                        self._weight -= <size_t>self.weights[ix]
                    self._promote(ix)
                    self.evictions += 1
                    # The shift may have filled ``slot`` or emptied an earlier slot of its run.
                    home = self._home(_mix(h, self.mix_key))
                    if (self.slots[slot] != 0
                            or ((hole - home) & self.slot_mask) < ((slot - home) & self.slot_mask)):
                        slot = self._empty_slot(_mix(h, self.mix_key))
                else:
                    ix = self._new_entry()
                    self._link_newest(ix)
                    self.size += 1
                Py_INCREF(key)
                Py_INCREF(value)
                self.entries[ix].key = <PyObject *>key
                self.entries[ix].value = <PyObject *>value
                self.entries[ix].hash = h
                self._index_at(slot, ix)
                self._changed()
                if weighted:
                    self.weights[ix] = w
                    self._weight += <size_t>w
            if n_extra:
                self._evict_into(&extra, n_extra)
            if lru_key != NULL or extra.n:
                callback = self._on_evict
        # The structure is complete: only now drop references and call back, with
        # no section held; any of them may re-enter freely.
        if old_value != NULL:
            _decref(old_value)
        if lru_key != NULL and extra.n == 0:
            if callback is None:
                _decref(lru_key)
                _decref(lru_value)
                return 0
            evicted_key = <object>lru_key
            evicted_value = <object>lru_value
            _decref(lru_key)                # the locals above now own the references
            _decref(lru_value)
            if self._value_only:
                callback(evicted_value)
            else:
                callback(evicted_key, evicted_value)
            return 0
        if lru_key != NULL or extra.n:
            self._notify(callback, lru_key, lru_value, &extra)
        return 0

    @cython.final
    cdef int _set_bounds(self, bint set_capacity, Py_ssize_t capacity,
                         Py_ssize_t max_weight) except -1:
        """Set capacity (when ``set_capacity``) and/or max_weight (when >= 0), evicting."""
        cdef EvictBuf evicted
        cdef Py_ssize_t n
        cdef object callback
        evicted.pairs = evicted.inline_pairs
        evicted.n = 0
        with cython.critical_section(self):
            if max_weight >= 0 and self.weights == NULL:
                raise ValueError(_UNWEIGHTED_MAX_WEIGHT)    # re-initialised meanwhile
            if not set_capacity:
                capacity = self._capacity
            n = self._plan_evictions(
                capacity, max_weight if max_weight >= 0 else self._max_weight,
                self.size, self._weight, 0, 0,
            )
            if n:
                self._reserve(&evicted, n)      # MemoryError: the bounds stay as they were
            self._capacity = capacity
            if max_weight >= 0:
                self._max_weight = max_weight
            self._evict_into(&evicted, n)
            callback = self._on_evict
        if evicted.n:
            self._notify(callback, NULL, NULL, &evicted)
        return 0

    # ------------------------------------------------------------------
    # mellea's interface

    def put(self, key, value):
        """Store ``value`` under ``key`` as the most recent entry.

        Promotes ``key``; counts no hit or miss.  An existing key keeps its original key
        object and gets the new value, with no callback.  A new key into a full cache
        first evicts the least recent entry, and with ``max_weight`` least recent entries
        go until the total weight fits; each is counted in ``evictions`` and passed to
        ``on_evict`` once the new entry is stored.  A value heavier than ``max_weight``
        raises ``ValueError`` and changes nothing.  With ``capacity <= 0`` nothing
        happens at all (the key is not even hashed).
        """
        if self._capacity > 0:
            self._store(key, value, True, NULL)

    def get(self, key, default=None):
        """The value for ``key``, or ``default`` when it is absent.

        Promotes a found key to most recent; counts a hit or a miss; evicts nothing.
        """
        cdef Py_hash_t h = self._key_hash(key)
        cdef size_t slot
        cdef Py_ssize_t ix
        with cython.critical_section(self):
            ix = self._find(key, h, &slot)
            if ix < 0:
                self.misses += 1
                return default
            self.hits += 1
            self._promote(<uint32_t>ix)
            return <object>self.entries[ix].value

    def current_size(self):
        """The number of entries (mellea's name for ``len``); promotes and counts nothing."""
        return self.size

    # ------------------------------------------------------------------
    # Mapping protocol

    def __getitem__(self, key):
        cdef Py_hash_t h = self._key_hash(key)
        cdef size_t slot
        cdef Py_ssize_t ix
        with cython.critical_section(self):
            ix = self._find(key, h, &slot)
            if ix >= 0:
                self.hits += 1
                self._promote(<uint32_t>ix)
                return <object>self.entries[ix].value
            self.misses += 1
        raise KeyError(key)

    def __setitem__(self, key, value):
        if self._capacity > 0:
            self._store(key, value, True, NULL)

    def __delitem__(self, key):
        if self._pop(key, _MISSING) is _MISSING:
            raise KeyError(key)

    def __contains__(self, key):
        cdef Py_hash_t h = self._key_hash(key)
        cdef size_t slot
        with cython.critical_section(self):
            return self._find(key, h, &slot) >= 0

    def __len__(self):
        return self.size

    def __iter__(self):
        return _new_iterator(self, _KEYS, False)

    def __reversed__(self):
        """The keys, most recent first (no promotion, nothing counted)."""
        return _new_iterator(self, _KEYS, True)

    def _iter_values(self):
        return _new_iterator(self, _VALUES, False)

    def _iter_items(self):
        return _new_iterator(self, _ITEMS, False)

    def keys(self):
        """A live view of the keys, least recent first.

        Reading it promotes and counts nothing; adding or removing entries while
        iterating it raises ``RuntimeError``.
        """
        return LRUKeysView(self)

    def values(self):
        """A live view of the values, least recent first.

        Reading it promotes and counts nothing; adding or removing entries while
        iterating it raises ``RuntimeError``.
        """
        return LRUValuesView(self)

    def items(self):
        """A live view of the (key, value) pairs, least recent first.

        Reading it promotes and counts nothing; adding or removing entries while
        iterating it raises ``RuntimeError``.
        """
        return LRUItemsView(self)

    def peek(self, key, default=None):
        """The value for ``key``, or ``default`` when it is absent.

        Promotes nothing, counts nothing, evicts nothing.
        """
        cdef Py_hash_t h = self._key_hash(key)
        cdef size_t slot
        cdef Py_ssize_t ix
        with cython.critical_section(self):
            ix = self._find(key, h, &slot)
            if ix < 0:
                return default
            return <object>self.entries[ix].value

    @cython.final
    cdef object _pop(self, object key, object default):
        cdef Py_hash_t h = self._key_hash(key)
        cdef size_t slot
        cdef Py_ssize_t ix
        cdef PyObject *k
        cdef PyObject *v
        with cython.critical_section(self):
            ix = self._find(key, h, &slot)
            if ix < 0:
                return default
            k = self.entries[ix].key
            v = self.entries[ix].value
            self._remove(slot, <uint32_t>ix)
        # The table no longer holds k and v; drop them only now (a __del__ may re-enter).
        value = <object>v
        Py_DECREF(<object>v)
        Py_DECREF(<object>k)
        return value

    @cython.binding(True)   # a sentinel default has no __text_signature__ form
    def pop(self, key, default=_MISSING):
        """Remove ``key`` and return its value.

        A missing key returns ``default`` when given, else raises ``KeyError``.  Not an
        eviction: calls no ``on_evict`` and counts nothing.
        """
        value = self._pop(key, default)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def popitem(self):
        """Remove and return the least recent ``(key, value)``; ``KeyError`` when empty.

        Not an eviction: calls no ``on_evict`` and counts nothing.
        """
        return self._pop_end(False)

    def setdefault(self, key, default=None):
        """The value for ``key``; if absent, store ``default`` and return it.

        A present key is promoted and its value returned, counting nothing and, like
        dict, without weighing ``default``.  An absent key is stored as ``put`` would:
        most recent, evicting (counted, ``on_evict`` called) to make room.  With
        ``capacity <= 0`` nothing is stored and ``default`` is returned.
        """
        if self._capacity <= 0:
            return default
        cdef Py_hash_t h = self._key_hash(key)
        cdef size_t slot
        cdef Py_ssize_t ix
        with cython.critical_section(self):
            ix = self._find(key, h, &slot)
            if ix > 0:
                self._promote(<uint32_t>ix)
                return <object>self.entries[ix].value
        # Absent: store it (weighing it now); a key inserted meanwhile wins.
        cdef PyObject *existing = NULL
        self._store(key, default, False, &existing)
        if existing == NULL:
            return default
        value = <object>existing
        _decref(existing)
        return value

    def update(self, other=(), /, **kwargs):
        """Store every item of ``other``, then of ``kwargs``, as ``put`` would.

        ``other`` is read as dict.update reads it (docs/contract.md section 3): a
        cylru cache of either implementation as a snapshot of its items, least
        recent first, promoting and counting nothing in it; else anything with
        ``keys()`` as ``other[key]`` for each key; else (key, value) pairs.  Each item
        is promoted and may evict, as by ``put``; no hit or miss is counted.  Stops
        at the first exception (what came before it is stored).  Never calls a
        subclass's ``put``/``__setitem__``.
        """
        cached = _cylru_items(other)
        if cached is not None:
            for key, value in <list>cached:
                self._store(key, value, True, NULL)
        elif hasattr(other, "keys"):
            for key in other.keys():
                self._store(key, other[key], True, NULL)
        else:
            for key, value in other:
                self._store(key, value, True, NULL)
        for key, value in kwargs.items():
            self._store(key, value, True, NULL)

    def clear(self):
        """Remove every entry: no ``on_evict``, nothing counted, the stats are kept."""
        cdef Detached old
        with cython.critical_section(self):
            if self.size == 0:
                return
            self._detach_table(self.weights != NULL, &old)
        self._release_detached(&old)

    @cython.final
    cdef int _detach_table(self, bint weighted, Detached *old) except -1:
        """Swap in a fresh empty table; the old one goes to ``*old`` for release later."""
        old.entries = self.entries
        old.slots = self.slots
        old.weights = self.weights
        old.used = self.used
        if self._allocate(MIN_ALLOC, weighted) < 0:
            self.entries = <Entry *>old.entries
            self.slots = <uint32_t *>old.slots
            self.weights = <Py_ssize_t *>old.weights
            old.entries = old.slots = old.weights = NULL
            raise MemoryError()
        self._weight = 0
        self._changed()
        return 0

    @cython.final
    cdef void _release_detached(self, Detached *old) noexcept:
        """Free a detached table, dropping its references (which may run __del__)."""
        PyMem_Free(old.slots)
        PyMem_Free(old.weights)
        self._release_table(<Entry *>old.entries, old.used)

    @cython.final
    cdef void _clear_for_gc(self) noexcept:
        """The collector's clear: drop every entry, calling no method and allocating nothing.

        Entry by entry, so the table is consistent whenever a reference is
        dropped; entries a __del__ adds meanwhile wait for the deallocation.
        """
        cdef Py_ssize_t budget = self.used
        cdef uint32_t ix
        cdef PyObject *k
        cdef PyObject *v
        while budget > 0:
            budget -= 1
            k = NULL
            with cython.critical_section(self):
                if self.size:
                    ix = self.entries[0].next
                    k = self.entries[ix].key
                    v = self.entries[ix].value
                    self._remove(self._slot_of(ix), ix)
            if k == NULL:
                return
            _decref(k)
            _decref(v)

    def copy(self):
        """A shallow copy: same class, entries in order, capacity, weight settings and
        callbacks; fresh stats.

        Each entry's weight is copied (the weigher is not run again).  Promotes and
        counts nothing in this cache.  A subclass instance's ``__dict__`` is copied
        shallowly.
        """
        return self._copy()

    def __copy__(self):
        # copy.copy(c) is this class's copy(), never an override of it (as for dict):
        # the weights are copied and the weigher is not run again.
        return self._copy()

    @cython.final
    cdef object _copy(self):
        cls = type(self)
        cdef LRUCache new = cls.__new__(cls)
        with cython.critical_section(self):
            new._copy_from(self)
        instance_dict = getattr(self, "__dict__", None)
        if instance_dict:
            new.__dict__.update(instance_dict)
        return new

    @cython.final
    cdef int _copy_from(self, LRUCache other) except -1:
        """Become a copy of ``other`` (self is fresh and empty)."""
        cdef size_t nslots = other.slot_mask + 1
        PyMem_Free(self.entries)
        PyMem_Free(self.slots)
        PyMem_Free(self.weights)
        self.entries = NULL
        self.slots = NULL
        self.weights = NULL
        if self._allocate(other.alloc, other.weights != NULL) < 0:
            self._allocate(MIN_ALLOC, False)
            raise MemoryError()
        memcpy(self.entries, other.entries, (other.alloc + 1) * sizeof(Entry))
        memcpy(self.slots, other.slots, nslots * sizeof(uint32_t))
        self.mix_key = other.mix_key    # the copied index was built with other's key
        if other.weights != NULL:
            memcpy(self.weights, other.weights, (other.alloc + 1) * sizeof(Py_ssize_t))
        cdef Py_ssize_t i
        for i in range(1, other.used + 1):
            Py_XINCREF(self.entries[i].key)
            Py_XINCREF(self.entries[i].value)
        self.used = other.used
        self.free_head = other.free_head
        self.size = other.size
        self._capacity = other._capacity
        self._max_weight = other._max_weight
        self._weight = other._weight
        self._on_evict = other._on_evict
        self._weigher = other._weigher
        self._value_only = other._value_only
        return 0

    # ------------------------------------------------------------------
    # Settings and statistics

    @property
    def capacity(self):
        """Maximum number of entries (an int, at most ``sys.maxsize``).

        Lowering it evicts the least recent entries at once, counting each and calling
        ``on_evict`` for each.  ``capacity <= 0`` stores nothing.
        """
        return self._capacity

    @capacity.setter
    def capacity(self, value):
        self._set_bounds(True, self._bound_in_frame(value, "capacity"), -1)

    @capacity.deleter
    def capacity(self):
        raise AttributeError("cannot delete attribute 'capacity'")

    @property
    def on_evict(self):
        """Called as ``on_evict(key, value)`` (``SimpleLRUCache``: ``on_evict(value)``)
        for every entry evicted to make room; None for no callback.

        Not called by ``del``, ``pop``, ``popitem``, ``clear`` or when an existing key
        gets a new value.
        """
        with cython.critical_section(self):
            return self._on_evict

    @on_evict.setter
    def on_evict(self, value):
        _as_callback(value, "on_evict")
        # Under the section: a reader elsewhere holds its own reference before the
        # old callback can lose its last one here.
        with cython.critical_section(self):
            self._on_evict = value

    @on_evict.deleter
    def on_evict(self):
        raise AttributeError("cannot delete attribute 'on_evict'")

    @property
    def max_weight(self):
        """Maximum total weight, or None when the cache is bounded by count only.

        Settable on a weighted cache: lowering it evicts least recent entries at once,
        counting each and calling ``on_evict`` for each.
        """
        return None if self._max_weight < 0 else self._max_weight

    @max_weight.setter
    def max_weight(self, value):
        if self.weights == NULL:
            raise ValueError(_UNWEIGHTED_MAX_WEIGHT)
        if value is None:
            raise TypeError("max_weight must be an int on a weighted cache, not None")
        cdef Py_ssize_t mw = self._bound_in_frame(value, "max_weight")
        if mw < 0:
            raise ValueError(f"max_weight must be >= 0, got {mw}")
        self._set_bounds(False, 0, mw)

    @max_weight.deleter
    def max_weight(self):
        raise AttributeError("cannot delete attribute 'max_weight'")

    @property
    def weigher(self):
        """The function giving each value's weight (None: every value weighs 1)."""
        with cython.critical_section(self):
            return self._weigher

    @property
    def weight(self):
        """Total weight of the entries, or None when the cache is unweighted."""
        return None if self.weights == NULL else self._weight

    def stats(self):
        """``CacheStats(hits, misses, evictions, size, capacity, weight, max_weight)``,
        read in one step; counts nothing."""
        cdef unsigned long long hits, misses, evictions
        cdef Py_ssize_t size, capacity, max_weight
        cdef size_t weight
        cdef bint weighted
        # C fields only inside the section; the Python objects are made after it.
        with cython.critical_section(self):
            hits, misses, evictions = self.hits, self.misses, self.evictions
            size, capacity, max_weight = self.size, self._capacity, self._max_weight
            weighted, weight = self.weights != NULL, self._weight
        return CacheStats(
            hits, misses, evictions, size, capacity,
            weight if weighted else None, max_weight if max_weight >= 0 else None,
        )

    def clear_stats(self):
        """Zero the hit, miss and eviction counters (entries and bounds are untouched)."""
        with cython.critical_section(self):
            self.hits = self.misses = self.evictions = 0

    # ------------------------------------------------------------------
    # Python protocols

    def __repr__(self):
        text = f"{type(self).__name__}(size={self.size}, capacity={self._capacity}"
        if self.weights != NULL:
            text += f", weight={self._weight}, max_weight={self._max_weight}"
        return text + ")"

    def __eq__(self, other):
        # docs/contract.md section 3 "Equality": both sides are read as snapshots
        # (another cylru cache of either implementation without promoting or
        # counting), then compared as dicts, outside every critical section, so a
        # key or value __eq__ may do anything to either cache.
        theirs = _cylru_items(other)
        if theirs is None:
            if not isinstance(other, Mapping):
                return NotImplemented
            theirs = other.items()
        return dict(self._snapshot_items()) == dict(theirs)

    def __ne__(self, other):
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None

    def __sizeof__(self):
        cdef size_t extra = (
            (self.alloc + 1) * sizeof(Entry) + (self.slot_mask + 1) * sizeof(uint32_t)
        )
        if self.weights != NULL:
            extra += (self.alloc + 1) * sizeof(Py_ssize_t)
        return object.__sizeof__(self) + extra

    def _probe_stats(self):
        """Debug statistics of the hash index (private; the tests check hash spreading).

        ``longest`` is the most slots a successful lookup inspects (1: found in its
        home slot), ``total`` the sum over all entries, ``slots`` the index size.
        """
        cdef size_t i, dist, home
        cdef size_t longest = 0
        cdef size_t total = 0
        cdef uint32_t s
        with cython.critical_section(self):
            for i in range(self.slot_mask + 1):
                s = self.slots[i]
                if s != 0:
                    home = self._home(_mix(self.entries[s & self.ix_mask].hash, self.mix_key))
                    dist = (i - home) & self.slot_mask
                    total += dist + 1
                    if dist + 1 > longest:
                        longest = dist + 1
            return {"slots": self.slot_mask + 1, "size": self.size,
                    "longest": longest, "total": total}

    def __reduce__(self):
        return (type(self), (self._capacity,), self._state())

    def _items_snapshot(self):
        """The (key, value) pairs, least recent first, read in one step (a list).

        The twin has the same method: each implementation reads a cache of the other
        through it (``==``, ``update``), atomically, never through an iterator that
        another thread's change would stop with RuntimeError.
        """
        return self._snapshot_items()

    @cython.final
    cdef list _snapshot_items(self):
        """The (key, value) pairs, least recent first, read in one critical section.

        The references are taken into a C array first: building tuples inside the
        section could start a garbage collection whose ``__del__`` changes the table
        under the walk.
        """
        cdef PyObject **refs
        cdef Py_ssize_t n, i
        cdef uint32_t ix
        cdef list items = []
        with cython.critical_section(self):
            n = self.size
            refs = <PyObject **>PyMem_Malloc((2 * n + 1) * sizeof(PyObject *))
            if refs == NULL:
                raise MemoryError()
            ix = self.entries[0].next
            for i in range(n):
                refs[2 * i] = self.entries[ix].key
                refs[2 * i + 1] = self.entries[ix].value
                Py_INCREF(<object>refs[2 * i])
                Py_INCREF(<object>refs[2 * i + 1])
                ix = self.entries[ix].next
        try:
            for i in range(n):
                items.append((<object>refs[2 * i], <object>refs[2 * i + 1]))
        finally:
            for i in range(n):
                Py_DECREF(<object>refs[2 * i])
                Py_DECREF(<object>refs[2 * i + 1])
            PyMem_Free(refs)
        return items

    @cython.final
    cdef tuple _state(self):
        return (
            self._on_evict,
            self.max_weight,
            self._weigher,
            list(self._iter_items()),
            getattr(self, "__dict__", None) or None,
        )

    def __setstate__(self, state):
        on_evict, max_weight, weigher, items, instance_dict = state
        self.on_evict = on_evict
        mw = _as_max_weight(max_weight)
        _as_callback(weigher, "weigher")
        cdef Detached old
        if mw >= 0:
            with cython.critical_section(self):
                self._detach_table(True, &old)
                self._max_weight = mw
                self._weigher = weigher
            self._release_detached(&old)
        for key, value in items:
            self._store(key, value, True, NULL)
        if instance_dict:
            self.__dict__.update(instance_dict)

    # ------------------------------------------------------------------
    # OrderedDict's end operations, for SimpleLRUCache.cache (_base.CacheView)

    def _popitem(self, bint last):
        """Remove and return the most recent ``(key, value)`` (``last``) or the least
        recent one; no callback, nothing counted; ``KeyError`` when empty."""
        return self._pop_end(last)

    @cython.final
    cdef tuple _pop_end(self, bint last):
        cdef uint32_t ix
        cdef PyObject *k
        cdef PyObject *v
        with cython.critical_section(self):
            if self.size == 0:
                raise KeyError("popitem(): cache is empty")
            ix = self.entries[0].prev if last else self.entries[0].next
            k = self.entries[ix].key
            v = self.entries[ix].value
            self._remove(self._slot_of(ix), ix)
        pair = (<object>k, <object>v)
        Py_DECREF(<object>k)
        Py_DECREF(<object>v)
        return pair

    def _move_to_end(self, key, bint last):
        """Make ``key`` the most recent entry (``last``) or the least recent one;
        ``KeyError`` if absent, nothing counted.  Like ``OrderedDict.move_to_end``, a
        move makes a running iterator raise (moving an entry behind the cursor to the
        front would otherwise yield keys twice)."""
        cdef Py_hash_t h = self._key_hash(key)
        cdef size_t slot
        cdef Py_ssize_t ix
        cdef Entry *e
        cdef uint32_t oldest
        with cython.critical_section(self):
            ix = self._find(key, h, &slot)
            if ix >= 0:
                if ix == (self.entries[0].prev if last else self.entries[0].next):
                    return  # already there: like OrderedDict, iterators go on
                self._unlink(<uint32_t>ix)
                if last:
                    self._link_newest(<uint32_t>ix)
                else:
                    e = self.entries
                    oldest = e[0].next
                    e[ix].prev = 0
                    e[ix].next = oldest
                    e[oldest].prev = <uint32_t>ix
                    e[0].next = <uint32_t>ix
                self._changed()
                return
        raise KeyError(key)

    @classmethod
    def __class_getitem__(cls, item):
        return GenericAlias(cls, item)


cdef object _cylru_items(object obj):
    """A snapshot of ``obj``'s items if it is a cylru cache of either implementation,
    else None.

    Least recent first, nothing promoted or counted, no subclass override called.
    A twin cache can exist only once its module is imported, so the twin is looked
    up in ``sys.modules`` rather than imported here.
    """
    if isinstance(obj, LRUCache):
        return (<LRUCache>obj)._snapshot_items()
    twin = sys.modules.get("cylru._lru_py")
    if twin is not None and isinstance(obj, twin.LRUCache):
        return twin.LRUCache._items_snapshot(obj)
    return None


cdef class SimpleLRUCache(LRUCache):
    """SimpleLRUCache(capacity, on_evict=None)
--

    Drop-in for mellea's ``SimpleLRUCache``: ``on_evict(value)`` gets the evicted
    value only, and ``cache`` is a live view of the entries that behaves like
    mellea's ``OrderedDict``.  Everything else is ``LRUCache``'s.
    """

    def __cinit__(self, *args, **kwargs):
        self._value_only = True

    def __init__(self, capacity, on_evict=None):
        LRUCache.__init__(self, capacity, on_evict)

    @property
    def cache(self):
        """The entries as mellea's ``OrderedDict``: a live view, least recent first; reads
        never promote, ``pop``/``popitem``/``del``/``clear``/``move_to_end`` call no
        ``on_evict``."""
        return CacheView(self)


cdef enum:
    _KEYS = 0
    _VALUES = 1
    _ITEMS = 2


@cython.auto_pickle(False)
@cython.final
cdef class _Iterator:
    """Walks the recency list, least recent first (most recent first when ``backward``).

    Made only by ``_new_iterator``: from Python the type can be neither called
    nor unpickled, and an instance made with ``__new__`` is already exhausted.

    Adding or removing entries while it runs raises RuntimeError.  A promotion is
    allowed and never makes it yield a key twice (docs/contract.md section 4a):
    promoting the entry it yielded last moves that entry behind the cursor of a
    backward walk, and past the ``remaining`` count of a forward one, so the walk
    goes on; so does one that has yielded nothing yet (it starts from the new
    order); after any other promotion the order of what is left is unknown and
    the iterator stops.
    """

    cdef LRUCache cache
    cdef uint32_t cursor
    cdef uint32_t last              # the entry yielded last, 0 before the first
    cdef Py_ssize_t remaining
    cdef uint64_t version
    cdef uint64_t moves
    cdef int kind
    cdef bint backward

    def __init__(self, *args, **kwargs):
        raise TypeError("cylru iterators are made by iter(), reversed() and the views")

    def __iter__(self):
        return self

    def __next__(self):
        cdef LRUCache cache = self.cache
        cdef Entry *e
        if cache is None:
            raise StopIteration     # exhausted: later changes to the cache don't matter
        cdef bint changed
        with cython.critical_section(cache):
            # No Python attribute lookup inside the section: the error is raised below.
            changed = cache.version != self.version
            if not changed:
                if cache.moves != self.moves:
                    if self.last == 0:
                        # Nothing yielded yet: start from the new order.
                        self.cursor = (cache.entries[0].prev if self.backward
                                       else cache.entries[0].next)
                    elif cache.moves != self.moves + 1 or cache.last_moved != self.last:
                        self.remaining = 0
                    self.moves = cache.moves
                if self.remaining <= 0 or self.cursor == 0:
                    self.cache = None
                    raise StopIteration
                e = &cache.entries[self.cursor]
                key = <object>e.key
                value = <object>e.value
                self.last = self.cursor
                self.cursor = e.prev if self.backward else e.next
                self.remaining -= 1
        if changed:
            raise RuntimeError(f"{type(cache).__name__} changed size during iteration")
        if self.kind == _KEYS:
            return key
        if self.kind == _VALUES:
            return value
        return (key, value)

    def __length_hint__(self):
        return 0 if self.cache is None else max(self.remaining, 0)


cdef _Iterator _new_iterator(LRUCache cache, int kind, bint backward):
    cdef _Iterator it = _Iterator.__new__(_Iterator)
    it.cache = cache
    it.kind = kind
    it.backward = backward
    with cython.critical_section(cache):
        it.cursor = cache.entries[0].prev if backward else cache.entries[0].next
        it.remaining = cache.size
        it.version = cache.version
        it.moves = cache.moves
    return it


# ----------------------------------------------------------------------
# Garbage collection.  Cython generates tp_traverse/tp_clear for the object
# attributes only; the keys and values live in C arrays, so the type's slots
# are wrapped to visit and clear those too.

cdef c_traverseproc _attr_traverse = (<GCSlots *>LRUCache).tp_traverse
cdef c_inquiry _attr_clear = (<GCSlots *>LRUCache).tp_clear


cdef int _traverse_entries(LRUCache self, c_visitproc visit, void *arg) noexcept:
    cdef Py_ssize_t i
    cdef int r
    cdef Entry *e = self.entries
    if e == NULL:
        return 0
    for i in range(1, self.used + 1):
        if e[i].key != NULL:
            r = visit(e[i].key, arg)
            if r:
                return r
            r = visit(e[i].value, arg)
            if r:
                return r
    return 0


cdef int _lru_traverse(PyObject *o, c_visitproc visit, void *arg) noexcept:
    cdef int r = _traverse_entries(<LRUCache>o, visit, arg)
    if r:
        return r
    return _attr_traverse(o, visit, arg)


cdef int _lru_clear(PyObject *o) noexcept:
    # Never the Python-level clear(): a subclass may override it to raise, to do
    # nothing, or to take arguments, and the cycle would never be freed.
    (<LRUCache>o)._clear_for_gc()
    return _attr_clear(o)


cdef void _install_gc_slots(GCSlots *t) noexcept:
    if t.tp_traverse == _attr_traverse:
        t.tp_traverse = _lru_traverse
    if t.tp_clear == _attr_clear:
        t.tp_clear = _lru_clear


_install_gc_slots(<GCSlots *>LRUCache)
_install_gc_slots(<GCSlots *>SimpleLRUCache)

Cache.register(LRUCache)
MutableMapping.register(LRUCache)


# ----------------------------------------------------------------------
# For the compiled memoizers (_memo_c.pyx), which hash a call's key once and look it up
# and store it with that hash (functools.lru_cache calls a key's __hash__ once per
# call).  Published as capsules, so the memo module needs no view of LRUCache's layout.

cdef int _memo_lookup(object cache, object key, Py_hash_t h, PyObject **value) except -1:
    """``get`` with a known hash: 1 and a new reference in ``*value`` on a hit, else 0."""
    cdef LRUCache c = <LRUCache>cache
    cdef size_t slot
    cdef Py_ssize_t ix
    with cython.critical_section(c):
        ix = c._find(key, h, &slot)
        if ix < 0:
            c.misses += 1
            return 0
        c.hits += 1
        c._promote(<uint32_t>ix)
        value[0] = c.entries[ix].value
        _incref(value[0])
        return 1


cdef int _memo_store(object cache, object key, Py_hash_t h, object value) except -1:
    """``setdefault`` with a known hash: a value stored meanwhile (recursion) stays."""
    cdef LRUCache c = <LRUCache>cache
    cdef PyObject *existing = NULL
    if c._capacity <= 0:
        return 0
    c._store_with_hash(key, h, value, False, &existing)
    if existing != NULL:
        _decref(existing)
    return 0


_memo_lookup_capsule = PyCapsule_New(<void *>_memo_lookup, "cylru._lru_c._memo_lookup", NULL)
_memo_store_capsule = PyCapsule_New(<void *>_memo_store, "cylru._lru_c._memo_store", NULL)
