"""Framework-free logic shared by the OneWindow apps.

Everything in this package is plain Python (standard library plus small pure
libraries such as ``chinesecalendar``) so that it can be unit-tested, benchmarked
and reused without a configured Django project. This package must never import
Django; the Django apps wrap it (models, forms, translations) instead.
"""
