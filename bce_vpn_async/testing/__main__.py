"""``python -m bce_vpn_async.testing serve``: the emulator over loopback (``--help``)."""

from __future__ import annotations

import sys

from bce_vpn_async.testing._serve import main

if __name__ == "__main__":
    main(sys.argv[1:])
