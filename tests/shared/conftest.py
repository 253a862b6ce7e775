from tests.redis_server import redis_server  # noqa: F401 - shared fixture
from tests.shopify.conftest import shop_tables  # noqa: F401 - shared fixture
