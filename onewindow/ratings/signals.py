"""`rating_recorded` is sent when a rating has been written.

Sent inside the rating's transaction, so what a receiver writes (the follow-up of a bad
rating) commits or rolls back with the rating: a bad rating never stands without its
follow-up. Receivers defer anything slow or external with `transaction.on_commit`. It
carries no domain rule. Arguments: ``rating`` (the saved `Rating`, with ``is_bad``) and
``request`` (or None).
"""

from django.dispatch import Signal

rating_recorded = Signal()
