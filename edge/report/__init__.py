"""Attribution and A/B results from the event log: ``skylt report`` and ``/dashboard``."""
