from onewindow.cases.tests.conftest import english, immediate_item, item, monday  # noqa: F401
