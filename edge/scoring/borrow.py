"""Borrowed views: a kernel's inputs without reference counting inside the kernel.

Numba counts references to every array it passes to a helper, atomically (a locked add and
a function call, some 6 ns on the 2-vCPU benchmark box), and keeps the count-up and
count-down of every array argument of a helper that allocates (its pruning pass cannot
remove them across an allocation's failure path). The page kernel passes the snapshot's
arrays to such helpers at every step, some 1,000 count-ups and 1,200 count-downs a product
page, about a quarter of its time. A borrowed view points at the same data with no owner
(a null meminfo), and numba's count-up and count-down return at once for those.

Only what the caller owns for the whole call may be borrowed: the arguments of a compiled
entry point (the served bundles, the request, the rules), which Python holds until the call
returns. Never borrow an array the kernel allocated (it may be freed after its last named
use while a borrowed alias lives on), and never return a borrowed view to Python.
"""

from __future__ import annotations

from typing import Any

from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def borrowed(typingctx: Any, arr: Any) -> Any:
    """``arr`` as a view of the same type with no owner: reference counting it costs nothing."""
    if not isinstance(arr, types.Array):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        src = context.make_array(arr)(context, builder, value=args[0])
        view = context.make_array(arr)(context, builder)
        for name in ("data", "shape", "strides", "nitems", "itemsize"):
            setattr(view, name, getattr(src, name))
        view.meminfo = cgutils.get_null_value(view.meminfo.type)
        view.parent = cgutils.get_null_value(view.parent.type)
        return view._getvalue()

    return arr(arr), codegen
