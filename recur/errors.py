"""The one domain exception and the typed warnings recur raises.

Pages catch only these: a ``RecurError`` is a problem with the user's data or
choices (shown with ``st.error``); a ``RecurWarning`` is a caveat on a result
(shown with ``st.warning``). Anything else is a bug and must surface as one.
"""

from __future__ import annotations


class RecurError(ValueError):
    """Bad input or an analysis that cannot run; the message says how to fix it."""


class RecurWarning(UserWarning):
    """A caveat attached to a result (small group, not estimable, PH violated)."""


class SmallGroupWarning(RecurWarning):
    """A group is too small for a stable estimate."""


class NotEstimableWarning(RecurWarning):
    """A coefficient or estimate could not be computed (no events, separation)."""


class ProportionalHazardsWarning(RecurWarning):
    """The Schoenfeld-residual test rejects proportional hazards."""
