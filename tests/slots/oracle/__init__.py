"""The slot rules written step by step in Python: the oracle the compiled planner is checked against.

These chains were the served planner before the step programs (``edge.slots.programs``)
replaced them; they stay here, out of the package, so that each rule has a second,
independent reading. Worked examples with answers written by hand (tests/slots/test_rules.py)
guard against a mistake copied into both.
"""
