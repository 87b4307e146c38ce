__version__ = "0.1.0"
"""The version of bce-vpn-async, as installed (it is also in the `User-Agent` header)."""
