"""The API's request and answer shapes: one definition that both checks the
requests and writes the OpenAPI document (marshmallow, through flask-smorest).
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from . import artwork, codes, slugs, targets
from .campaigns import SCOPES
from .institutions import KINDS

_REASON = validate.Length(max=codes.MAX_REASON)


class CodeCreate(Schema):
    """A new code: where it points, and optionally its slug, visit, institution."""

    target = fields.String(
        required=True,
        validate=validate.Length(min=1, max=targets.MAX_LENGTH),
        metadata={
            "description": 'http(s) URL the code opens, or "landing" for its own '
            "landing page"
        },
    )
    slug = fields.String(
        validate=validate.Length(min=slugs.MIN_LENGTH, max=slugs.MAX_LENGTH),
        metadata={"description": "custom slug, A-Z 0-9 -; generated when absent"},
    )
    visit = fields.String(validate=validate.Length(max=32))
    institution = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "visiting institution's name; registered if new"},
    )
    reason = fields.String(validate=_REASON)


class CodeChange(Schema):
    """A change of a code: a new target, a new state, or both, and why."""

    target = fields.String(
        validate=validate.Length(min=1, max=targets.MAX_LENGTH),
        metadata={"description": 'a new http(s) URL, or "landing"'},
    )
    state = fields.String(validate=validate.OneOf([codes.ACTIVE, codes.DISABLED]))
    reason = fields.String(validate=_REASON)

    @validates_schema
    def something_to_change(self, data, **kwargs):
        """Refuse a change that changes nothing."""
        if "target" not in data and "state" not in data:
            raise ValidationError("give a target, a state, or both")


class HistoryEntry(Schema):
    """One change of a code."""

    at = fields.String(metadata={"description": "UTC, ISO 8601"})
    by = fields.String()
    action = fields.String()
    reason = fields.String()
    to = fields.String()
    from_ = fields.String(data_key="from")


class Code(Schema):
    """A code as the API shows it, with its counts."""

    slug = fields.String()
    short_url = fields.String(metadata={"description": "what the QR code holds"})
    target = fields.String()
    state = fields.String()
    institution = fields.String()
    institution_id = fields.String()
    institution_kind = fields.String()
    visit = fields.String()
    event = fields.String()
    created_at = fields.String()
    created_by = fields.String()
    updated_at = fields.String()
    scans = fields.Integer(metadata={"description": "guests' scans"})
    bot_scans = fields.Integer(metadata={"description": "bots, previews, HEAD"})
    scans_while_disabled = fields.Integer()
    last_scan_at = fields.String()
    unique_guests_today = fields.Integer()
    clicks = fields.Dict(
        metadata={
            "description": "clicks on its landing page's links: guests' total, "
            "guests' per link id, bots' total"
        }
    )


class LandingLink(Schema):
    """One extra link of a landing page; an empty url removes an inherited one."""

    id = fields.String(required=True, metadata={"description": "a-z 0-9 -, 1 to 32"})
    url = fields.String(load_default="", validate=validate.Length(max=2048))
    label_id = fields.String(load_default="", validate=validate.Length(max=200))
    label_en = fields.String(load_default="", validate=validate.Length(max=200))


class LandingContent(Schema):
    """Landing page content; empty fields inherit from the layer below."""

    message_id = fields.String(validate=validate.Length(max=500))
    message_en = fields.String(validate=validate.Length(max=500))
    profile_url = fields.String(validate=validate.Length(max=2048))
    email = fields.String(validate=validate.Length(max=500))
    phone = fields.String(validate=validate.Length(max=500))
    postal_address = fields.String(validate=validate.Length(max=500))
    links = fields.List(fields.Nested(LandingLink), validate=validate.Length(max=12))


class ArtworkQuery(Schema):
    """The options of a code's artwork, as query parameters."""

    size_mm = fields.Float(validate=validate.Range(min=5, max=1000))
    size_px = fields.Integer(validate=validate.Range(min=21, max=artwork.MAX_PNG_SIDE))
    dpi = fields.Integer(validate=validate.Range(min=72, max=2400))
    border = fields.Integer(validate=validate.Range(min=0, max=artwork.MAX_BORDER))
    error = fields.String(validate=validate.OneOf(artwork.ERROR_LEVELS + tuple("lmqh")))
    dark = fields.String(validate=validate.Length(max=7))
    light = fields.String(validate=validate.Length(max=7))
    caption = fields.String(validate=validate.Length(max=200))
    institution = fields.Boolean(
        metadata={"description": "add the institution's name under the caption"}
    )


class InstitutionIn(Schema):
    """A visiting institution to register."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="", validate=validate.OneOf(["", *KINDS]))
    region = fields.String(load_default="", validate=validate.Length(max=100))
    country = fields.String(load_default="ID", validate=validate.Length(max=2))


class Institution(Schema):
    """A visiting institution."""

    id = fields.String()
    name = fields.String()
    kind = fields.String()
    region = fields.String()
    country = fields.String()


class VisitIn(Schema):
    """A visit of a registered institution."""

    institution = fields.String(required=True, metadata={"description": "its id"})
    date = fields.Date(required=True)
    purpose = fields.String(load_default="", validate=validate.Length(max=200))
    documentation = fields.String(load_default="", validate=validate.Length(max=2048))


class Visit(Schema):
    """A visit."""

    id = fields.String()
    institution = fields.String()
    date = fields.String()
    purpose = fields.String()
    documentation = fields.String()


class EventIn(Schema):
    """A flagship event."""

    name_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=200))
    starts = fields.Date(required=True)
    ends = fields.Date(required=True)
    page = fields.String(load_default="", validate=validate.Length(max=2048))


class Event(Schema):
    """A flagship event."""

    id = fields.String()
    name_id = fields.String()
    name_en = fields.String()
    starts = fields.String()
    ends = fields.String()
    page = fields.String()


class CampaignIn(Schema):
    """Point a set of codes at an event for a window of time."""

    event = fields.String(required=True, metadata={"description": "the event's id"})
    starts = fields.DateTime(
        required=True,
        metadata={"description": "ISO 8601; without an offset, the office's zone"},
    )
    ends = fields.DateTime(required=True)
    scope = fields.String(required=True, validate=validate.OneOf(SCOPES))
    value = fields.String(
        load_default="",
        metadata={"description": "the kind, the visit id, or slugs joined by commas"},
    )
    target = fields.String(load_default="", validate=validate.Length(max=2048))


class Campaign(Schema):
    """A campaign."""

    id = fields.String()
    event = fields.String()
    starts = fields.String()
    ends = fields.String()
    scope = fields.String()
    value = fields.String()
    target = fields.String()
    created_by = fields.String()
    created_at = fields.String()
    cancelled = fields.String()


class PreviewQuery(Schema):
    """When to preview a code (default: now)."""

    at = fields.DateTime(metadata={"description": "ISO 8601; default now"})


class Preview(Schema):
    """What a code opens at a moment, and the event a scan then counts for."""

    slug = fields.String()
    at = fields.String()
    target = fields.String()
    event = fields.String()


class AuditQuery(Schema):
    """Which audit entries to read."""

    since = fields.String(metadata={"description": "ISO UTC time or stream id"})
    limit = fields.Integer(load_default=1000, validate=validate.Range(min=1, max=10000))


class AuditEntry(Schema):
    """One entry of the audit log."""

    id = fields.String()
    at = fields.String()
    who = fields.String()
    action = fields.String()
    subject = fields.String()
    before = fields.Raw(allow_none=True)
    after = fields.Raw(allow_none=True)
