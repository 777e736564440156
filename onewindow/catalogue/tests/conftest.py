import pytest
from django.conf import settings


@pytest.fixture
def english(client):
    """Pages in English (the language switch's cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client
