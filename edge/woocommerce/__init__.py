"""WooCommerce: import a shop's products and orders through its REST API (``skylt woocommerce import``)."""
