import contextvars
import uuid

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_tag(tag: str) -> None:
    """Append `tag` (e.g. "token:42", the API token that authenticated this request) to the
    current request id, so every audit event recorded later in the request carries it.
    The middleware's reset at the end of the request drops it again."""
    current = _request_id.get()
    if current and not current.endswith(f"/{tag}"):
        _request_id.set(f"{current}/{tag}")


class RequestIdMiddleware:
    """Gives every request an id that audit events carry, and returns it as X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
