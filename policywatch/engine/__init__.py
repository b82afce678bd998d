"""The comparison engine: where two policy texts differ and whether the difference matters.

``diff`` finds the edits, ``materiality`` judges them against the rules that
``rulebook`` loads from ``rules/*.toml``, ``comparison`` joins the two into a
verdict, and ``render`` shows it as terminal text, JSON, Markdown or an HTML
fragment. The package imports nothing else of policywatch's but the leaf
modules ``errors``, ``dates``, ``termsafe`` and ``settings_values``, so anything may use it and it
depends on nothing above it. Nothing is imported here, to keep
``import policywatch.engine.x`` cheap.
"""
