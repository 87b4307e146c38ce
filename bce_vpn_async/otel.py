"""OpenTelemetry tracing for the SDK (extra ``[otel]``): one CLIENT span per call.

```python
from bce_vpn_async import AsyncVpnClient
from bce_vpn_async.otel import TracingMiddleware

client = AsyncVpnClient(..., middleware=[TracingMiddleware()])
```

See ``TracingMiddleware`` for what a span records (and what it never does).
"""

from ._otel import TracingMiddleware

__all__ = ["TracingMiddleware"]
