from tests.snippets.fakeshop import fake_shop  # noqa: F401 - shared fixture
