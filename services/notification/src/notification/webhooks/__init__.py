"""Webhooks: other systems subscribe to public event types and get signed HTTP POSTs.

``model`` holds the pure rules, ``store`` the MongoDB collections, ``fanout`` the Kafka
side (one delivery document per matching subscription), ``sender`` the delivery loop and
``api`` the HTTP routes. See docs/webhooks.md.
"""
