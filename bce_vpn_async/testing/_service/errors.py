"""``ServiceError``: a refusal the service answers as a BCE error body."""

from __future__ import annotations

__all__ = ["ServiceError"]


class ServiceError(Exception):
    """An answer the service gives as a BCE error body: ``status``, ``code``, ``message``.

    The handlers and the wire raise it to refuse a request; the wire turns it into the
    ``{"code", "message", "requestId"}`` answer. The codes are the ones
    ``docs/service/api-facts.md#errors`` lists, and ``409 OperationDenied`` where no source
    names one (``docs/service/disagreements.md#not-found``).
    """

    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")

    @classmethod
    def bad_request(cls, message: str) -> ServiceError:
        """400 ``BadRequest``: a well-typed value that breaks a documented rule."""
        return cls(400, "BadRequest", message)

    @classmethod
    def inappropriate_json(cls, message: str) -> ServiceError:
        """400 ``InappropriateJSON``: a field missing, or of the wrong JSON type."""
        return cls(400, "InappropriateJSON", message)

    @classmethod
    def not_found(cls, what: str, ident: str) -> ServiceError:
        """404 ``NoSuchObject``: no ``what`` with id ``ident`` in the caller's account."""
        return cls(404, "NoSuchObject", f"The {what} {ident} does not exist.")

    @classmethod
    def denied(cls, message: str) -> ServiceError:
        """409 ``OperationDenied``: the state does not allow the change now."""
        return cls(409, "OperationDenied", message)
