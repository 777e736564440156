"""Date formats of the platform's languages, where Django's own do not suit a service hall
(settings.FORMAT_MODULE_PATH). Chinese keeps Django's (2026年3月16日)."""
