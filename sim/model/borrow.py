"""Arrays without reference counting, for the innermost compiled loops.

Usage (in compiled code)::

    from sim.model.borrow import borrowed, keep_alive

    scratch = np.empty(8)
    d = borrowed(scratch)        # the same memory, no reference count
    for night in range(nights):
        step(d, ...)             # passing ``d`` on costs nothing
    keep_alive(scratch)          # the owner lives until here

Numba counts references to every array: each time an array is bound to a new name, which
happens for every argument of every inlined call, it increments and later decrements a
counter with an atomic instruction. Its pruning pass removes most pairs, not those that
span the branches of a large inlined function, and the model's loop passes the patient's
constants, carried state and tonight's state through three levels of calls (day step,
dispatch, each mechanism's hook) every night: about 7% of the kernel's time went into
these atomic instructions (perf, session 6).

``borrowed(a)`` returns a view of ``a`` whose reference count is absent (a null meminfo,
as numba gives arrays it does not own): binding or passing it costs a null test. The
caller guarantees that the owner outlives every use of the view: an argument of the
compiled function does (the caller holds it), and a local array does when
``keep_alive(owner)`` follows its last use. Views of a borrowed array (``a[i]``) are
borrowed too. Values and results are unchanged.
"""

from __future__ import annotations

import numba
from numba.core import cgutils, types
from numba.extending import intrinsic

import sim.model.jit  # noqa: F401  (sets numba's cache folder first)


@intrinsic
def borrowed(typingctx, arr):
    """A view of the array ``arr`` with no reference count (see the module docstring)."""
    if not isinstance(arr, types.Array):
        return None

    def codegen(context, builder, signature, args):
        src = context.make_array(signature.args[0])(context, builder, value=args[0])
        out = context.make_array(signature.return_type)(context, builder)
        for name in ("nitems", "itemsize", "data", "shape", "strides"):
            setattr(out, name, getattr(src, name))
        out.meminfo = cgutils.get_null_value(out.meminfo.type)
        out.parent = cgutils.get_null_value(out.parent.type)
        return out._getvalue()

    return arr(arr), codegen


@numba.njit(cache=True, nogil=True)  # not inlined: numba's inliner takes no *args
def keep_alive(*owners):
    """Nothing: a use of ``owners`` after the last use of their borrowed views."""
    return None


__all__ = ["borrowed", "keep_alive"]
