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


class StoreUnavailable(CiberqError):
    """Redis cannot be reached or started."""

    http_status = 503
    code = "store_unavailable"
