"""Chinese first: the language is the user's explicit choice, never the browser's guess."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

_LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Use the language chosen with the switch (cookie), else Chinese.

    Window PCs and kiosks often run English-language browsers; the halls work in Chinese,
    so Accept-Language is ignored. An English speaker switches once and the cookie stays.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in _LANGUAGES:
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        """What LocaleMiddleware does when no URL carries a language prefix (the URLs
        have none: no i18n_patterns), without looking for one in every path: that
        lookup tried each path's first segment as a language code, and the misses
        (``status``, ``api``…) are not cached. The pages keep saying that they vary
        with Accept-Language, as before."""
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
