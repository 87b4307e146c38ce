"""bce-vpn-async."""
