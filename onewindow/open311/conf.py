"""The Open311 app's settings, each with its default (set them in the settings module to
change them; none is needed to run).

- ``ONEWINDOW_OPEN311_JURISDICTION``: the ``jurisdiction_id`` of this endpoint. A client
  may leave it out (the endpoint serves one jurisdiction); one that sends another is
  answered 404, as the spec asks.
- ``ONEWINDOW_OPEN311_POSTS_PER_MINUTE``: POSTs one partner key may send in a minute.
- ``ONEWINDOW_OPEN311_BAD_KEYS_PER_MINUTE``: POSTs without a valid key one client address
  may send in a minute before it is held off.
"""

from django.conf import settings


def jurisdiction() -> str:
    return getattr(settings, "ONEWINDOW_OPEN311_JURISDICTION", "zjg.gov.cn")


def posts_per_minute() -> int:
    return getattr(settings, "ONEWINDOW_OPEN311_POSTS_PER_MINUTE", 60)


def bad_keys_per_minute() -> int:
    return getattr(settings, "ONEWINDOW_OPEN311_BAD_KEYS_PER_MINUTE", 10)
