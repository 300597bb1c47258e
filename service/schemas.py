"""The API's request and answer shapes: one definition that both checks the
requests and writes the OpenAPI document (marshmallow, through flask-smorest).
"""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from . import artwork, codes, slugs, targets

_REASON = validate.Length(max=codes.MAX_REASON)


class CodeCreate(Schema):
    """A new code: where it points, and optionally its slug, visit, institution."""

    target = fields.String(
        required=True,
        validate=validate.Length(min=1, max=targets.MAX_LENGTH),
        metadata={"description": "http(s) URL the code opens"},
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

    target = fields.String(validate=validate.Length(min=1, max=targets.MAX_LENGTH))
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
