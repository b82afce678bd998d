"""Telling subscribers: the ledger of deliveries, and the channels that carry them."""
