"""Telling subscribers: which releases they are owed, the ledger of deliveries, the channels
that carry them, and the service their links point to."""
