"""How the kernels touch memory: borrowed views and prefetches.

Borrowed views: a kernel's inputs without reference counting inside the kernel.

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

Prefetches: a request reads a few dozen rows scattered over a snapshot of gigabytes, and over
many different requests each row is a cache miss. A loop that reads one row after the other
waits for each miss in turn; asking for every row first lets them arrive together.
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _borrowed(typingctx: Any, arr: Any) -> Any:
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


def _prefetch(typingctx: Any, arr: Any, row: Any, col: Any) -> Any:
    """Ask the CPU to bring arr[row] (arr[row, col] for 2-D arrays) into the cache, and go on: a hint that never
    faults, even out of bounds. Issued for every row a loop will read before the loop starts, the misses of a
    request's scattered rows overlap instead of coming one after the other."""
    if not isinstance(arr, types.Array) or arr.ndim > 2 or not isinstance(row, types.Integer) \
            or not isinstance(col, types.Integer):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        view = context.make_array(arr)(context, builder, value=args[0])
        where = [context.cast(builder, args[1], row, types.intp)]
        if arr.ndim == 2:
            where.append(context.cast(builder, args[2], col, types.intp))
        ptr = cgutils.get_item_pointer(context, builder, arr, view, where, wraparound=False, boundscheck=False)
        i32 = ir.IntType(32)
        fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [cgutils.voidptr_t, i32,
                                                                                          i32, i32]),
                                            "llvm.prefetch.p0")
        # read, keep in every cache level, data
        builder.call(fn, [builder.bitcast(ptr, cgutils.voidptr_t), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return types.void(arr, row, col), codegen


# Typed as Any: called from kernels as borrowed(arr) and prefetch(arr, row, col), which mypy cannot follow.
borrowed: Any = intrinsic(_borrowed)
prefetch: Any = intrinsic(_prefetch)
