"""Merchandising rules: the shop's own steering of slots (pin, boost, bury, exclude).

``schemas`` is the HTTP contract and its checks, ``compile`` turns a rule set into the
per-page arrays the compiled planner reads (``edge.scoring.merchandise``). The rule set is
stored beside the catalog overlay and travels with its generation (edge/overlay/).
"""
