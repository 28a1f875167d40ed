"""Recognisers: one module per family of personal data, each a function ``Scan -> candidates``."""
