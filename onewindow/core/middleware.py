"""Chinese first: the language is the user's explicit choice, never the browser's guess."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Use the language chosen with the switch (cookie), else Chinese.

    Window PCs and kiosks often run English-language browsers; the halls work in Chinese,
    so Accept-Language is ignored. An English speaker switches once and the cookie stays.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()
