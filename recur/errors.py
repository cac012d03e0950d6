"""The one domain exception recur raises.

Pages catch only ``RecurError``: a problem with the user's data or choices,
shown with ``st.error``; its message says how to fix it. Caveats on a result
(small groups, terms not estimable, PH violated) travel with the result as
notes, so pages, exports and notebooks all show them. Anything else is a bug
and must surface as one.
"""

from __future__ import annotations


class RecurError(ValueError):
    """Bad input or an analysis that cannot run; the message says how to fix it."""

