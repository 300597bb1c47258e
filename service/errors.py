"""Domain exceptions: each message names the object and says what to do.

The HTTP layer turns them into answers (``http_status`` and ``code``); the
command line prints the message on one line and exits non-zero.
"""


class CiberqError(Exception):
    """Base of every error a person may be shown."""

    http_status = 400
    code = "bad_request"


class ConfigError(CiberqError):
    """A setting has a value the service cannot start with."""

    code = "bad_configuration"


class InvalidSlug(CiberqError, ValueError):
    """A slug that breaks the short-URL contract."""

    code = "invalid_slug"


class InvalidTarget(CiberqError, ValueError):
    """A target that the service refuses to redirect to."""

    code = "invalid_target"


class InvalidInput(CiberqError, ValueError):
    """Any other value a person typed that cannot be used as it is."""

    code = "invalid_input"


class ArtworkError(CiberqError, ValueError):
    """Artwork that would not scan, or options that cannot be drawn."""

    code = "invalid_artwork"


class Unauthorized(CiberqError):
    """A call without a valid token or session."""

    http_status = 401
    code = "unauthorized"


class Forbidden(CiberqError):
    """A call by someone whose role may not do it."""

    http_status = 403
    code = "forbidden"


class CodeNotFound(CiberqError, LookupError):
    """No code has this slug."""

    http_status = 404
    code = "code_not_found"

    def __init__(self, slug: str):
        super().__init__(f"code {slug} does not exist; check the slug")
        self.slug = slug


class SlugTaken(CiberqError):
    """A custom slug that another code already uses."""

    http_status = 409
    code = "slug_taken"

    def __init__(self, slug: str):
        super().__init__(f"slug {slug} is already taken; choose another")
        self.slug = slug


class StateConflict(CiberqError):
    """A change that the code's current state does not allow."""

    http_status = 409
    code = "state_conflict"


class UserNotFound(CiberqError, LookupError):
    """No user has this name."""

    http_status = 404
    code = "user_not_found"

    def __init__(self, name: str):
        super().__init__(f"user {name} does not exist; check the name")
        self.name = name


class UserTaken(CiberqError):
    """A user name that another user already has."""

    http_status = 409
    code = "user_taken"

    def __init__(self, name: str):
        super().__init__(f"user {name} already exists; choose another name")
        self.name = name


class TokenNotFound(CiberqError, LookupError):
    """No API token has this id."""

    http_status = 404
    code = "token_not_found"

    def __init__(self, token_id: str):
        super().__init__(f"token {token_id} does not exist; see `ciberq token list`")
        self.token_id = token_id


class LoginRefused(CiberqError):
    """A wrong name or password, or a disabled account: one answer for all."""

    http_status = 401
    code = "login_refused"

    def __init__(self):
        super().__init__("wrong name or password; check both and try again")


class LoginThrottled(CiberqError):
    """Too many failed logins for an account or an address."""

    http_status = 429
    code = "login_throttled"

    def __init__(self, retry_after: int):
        minutes = max(1, -(-retry_after // 60))
        super().__init__(
            f"too many failed logins; wait {minutes} minutes and try again"
        )
        self.retry_after = retry_after


class StoreUnavailable(CiberqError):
    """Redis cannot be reached or started."""

    http_status = 503
    code = "store_unavailable"
