"""`case_changed` is sent after a case change has been committed.

It carries no domain rule: it lets the capabilities above cases (supervision, later
notifications and ratings) react without the cases app importing them. Arguments:
``case_id`` and ``kinds`` (the CaseEvent kinds just appended).
"""

from django.dispatch import Signal

case_changed = Signal()
