"""The Spark engine of ``skylt build`` (``pip install 'skylt[spark]'``).

read (``read``) -> dense ids and session keys (``encode``) -> integer aggregates
(``aggregate``) with Spark; the driver then scores and writes them with the single-node code,
so both engines give the same snapshot. pyspark is imported only when a build runs.
"""
