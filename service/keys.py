"""The Redis key layout: the only module that spells a key.

Every key is ``{prefix}:v{SCHEMA}:...``. Keys that change together share a
Redis Cluster hash tag (the part in braces, see the Redis Cluster spec, "hash
tags"), so a code's hash, its history and its totals live in one slot and a
Lua script may touch them together.

==========================================  =====  ===================================
key                                         type   holds
==========================================  =====  ===================================
``P:v1:code:{SLUG}``                        hash   slug, target, state, institution,
                                                   visit, event, created_at, ...
``P:v1:code:{SLUG}:history``                list   JSON entries, oldest first
``P:v1:code:{SLUG}:totals``                 hash   guest, bot, gone, last_scan_at
``P:v1:code:{SLUG}:guests:DAY``             HLL    unique guests of the code that day
``P:v1:code:{SLUG}:landing``                string JSON: the code's landing content
``P:v1:code:{SLUG}:clicks``                 hash   link id -> guests' clicks;
                                                   ``bot:LINK`` -> bots' clicks
``P:v1:codes``                              zset   every slug, scored by creation time
``P:v1:codes:changes``                      stream the slug of each change (code tables)
``P:v1:institution:{ID}``                   hash   name, kind, region, country
``P:v1:institutions``                       hash   lower-case name -> id
``P:v1:visit:{ID}``                         hash   institution, date, purpose, link
``P:v1:visits``                             zset   visit ids by date
``P:v1:visit:{ID}:landing``                 string JSON: landing content of a visit
``P:v1:landing``                            string JSON: office-wide landing content
``P:v1:event:{ID}``                         hash   name_id, name_en, dates, page
``P:v1:events``                             zset   event ids by start date
``P:v1:campaign:{ID}``                      hash   event, starts, ends, scope, value,
                                                   target, cancelled
``P:v1:campaigns``                          zset   campaign ids by start
``P:v1:ids``                                hash   last id per kind of record
``P:v1:scans``                              stream one entry per scan (raw record)
``P:v1:texts``                              hash   reference -> a user agent or target
                                                   the scan entries refer to
``P:v1:day:{DAY}:scans``                    hash   dimension tuple -> count
``P:v1:day:{DAY}:guests``                   HLL    unique guests of the day
``P:v1:day:{DAY}:guests:DIM:VALUE``         HLL    unique guests of the day with one
                                                   value of a dimension (institution,
                                                   event, device, os, browser,
                                                   language, channel)
``P:v1:days``                               hash   DAY -> scans recorded that day (the
                                                   dashboard's cache checks it)
``P:v1:rollup:{MONTH}``                     string the dashboard's counters of a month
                                                   that has ended (JSON), with
                                                   the day counts they were made from
``P:v1:day:{DAY}:clicks``                   hash   ``SLUG|LINK|BOT`` -> clicks that day
``P:v1:guestkey:DAY``                       string the day's key for hashing guests
``P:v1:batch:ID``                           string marks a batch of scans as written
``P:v1:limits...``                          string the rate limiter's counters
``P:v1:user:{NAME}``                        hash   name, role, active, created_at,
                                                   created_by, password (a hash)
``P:v1:users``                              zset   every user name, by creation time
``P:v1:user:{NAME}:sessions``               set    SHA-256 of each live session of
                                                   the user
``P:v1:session:DIGEST``                     string ``EPOCH|NAME`` of a live sign-in
                                                   session (SHA-256 of its id)
``P:v1:logins:SCOPE:DIGEST``                string failed logins of an account or
                                                   address (sha256), for 15 minutes
``P:v1:token:{ID}``                         hash   id, name, role, created_at, revoked,
                                                   last_used_at, hash (sha256)
``P:v1:tokens``                             zset   every token id, by creation time
``P:v1:tokens:hashes``                      hash   sha256 of a live token -> id
``P:v1:audit``                              stream who changed what, append-only
``P:schema``                                string schema version of the layout
==========================================  =====  ===================================

``DAY`` is the date in the configured time zone, ``YYYY-MM-DD``.
"""

SCHEMA = 1


class Keys:
    """Builds every key under one prefix and schema version."""

    def __init__(self, prefix: str = "ciberq"):
        self.prefix = prefix
        self.root = f"{prefix}:v{SCHEMA}"

    def schema(self) -> str:
        """The key that records which layout the data uses."""
        return f"{self.prefix}:schema"

    def code(self, slug: str) -> str:
        """The hash of one code."""
        return f"{self.root}:code:{{{slug}}}"

    def history(self, slug: str) -> str:
        """The append-only list of a code's changes."""
        return f"{self.code(slug)}:history"

    def totals(self, slug: str) -> str:
        """The running scan counts of one code."""
        return f"{self.code(slug)}:totals"

    def code_guests(self, slug: str, day: str) -> str:
        """The HyperLogLog of a code's unique guests on one day."""
        return f"{self.code(slug)}:guests:{day}"

    def code_landing(self, slug: str) -> str:
        """The landing content that one code overrides (JSON)."""
        return f"{self.code(slug)}:landing"

    def clicks(self, slug: str) -> str:
        """A code's running click counts per link of its landing page."""
        return f"{self.code(slug)}:clicks"

    def codes(self) -> str:
        """The index of every slug."""
        return f"{self.root}:codes"

    def code_changes(self) -> str:
        """The stream that tells every process which code changed."""
        return f"{self.root}:codes:changes"

    def institution(self, institution_id: str) -> str:
        """The hash of one visiting institution."""
        return f"{self.root}:institution:{{{institution_id}}}"

    def institutions(self) -> str:
        """Lower-case institution name to id."""
        return f"{self.root}:institutions"

    def visit(self, visit_id: str) -> str:
        """The hash of one visit."""
        return f"{self.root}:visit:{{{visit_id}}}"

    def visit_landing(self, visit_id: str) -> str:
        """The landing content that one visit overrides (JSON)."""
        return f"{self.visit(visit_id)}:landing"

    def office_landing(self) -> str:
        """The office-wide landing content (JSON)."""
        return f"{self.root}:landing"

    def visits(self) -> str:
        """The index of visits by date."""
        return f"{self.root}:visits"

    def event(self, event_id: str) -> str:
        """The hash of one flagship event."""
        return f"{self.root}:event:{{{event_id}}}"

    def events(self) -> str:
        """The index of events by start date."""
        return f"{self.root}:events"

    def campaign(self, campaign_id: str) -> str:
        """The hash of one campaign."""
        return f"{self.root}:campaign:{{{campaign_id}}}"

    def campaigns(self) -> str:
        """The index of campaigns by start."""
        return f"{self.root}:campaigns"

    def ids(self) -> str:
        """Counters that hand out record ids."""
        return f"{self.root}:ids"

    def scans(self) -> str:
        """The stream of raw scans."""
        return f"{self.root}:scans"

    def texts(self) -> str:
        """Long texts (user agents, targets) that scan entries refer to."""
        return f"{self.root}:texts"

    def day_scans(self, day: str) -> str:
        """Per-day counters keyed by the dimensions the dashboard slices by."""
        return f"{self.root}:day:{{{day}}}:scans"

    def day_guests(self, day: str) -> str:
        """The HyperLogLog of unique guests on one day."""
        return f"{self.root}:day:{{{day}}}:guests"

    def day_dimension_guests(self, day: str, dimension: str, value: str) -> str:
        """The HyperLogLog of one day's unique guests with one dimension's value."""
        return f"{self.day_guests(day)}:{dimension}:{value}"

    def rollup(self, month: str) -> str:
        """The dashboard's roll-up of one month (``YYYY-MM``) that has ended."""
        return f"{self.root}:rollup:{{{month}}}"

    def days(self) -> str:
        """Scans recorded per local day: tells a cached day from a changed one."""
        return f"{self.root}:days"

    def day_clicks(self, day: str) -> str:
        """Per-day click counters keyed by code, link and bot or not."""
        return f"{self.root}:day:{{{day}}}:clicks"

    def guest_key(self, day: str) -> str:
        """The secret of one day for hashing guests; it expires after the day."""
        return f"{self.root}:guestkey:{day}"

    def limits(self) -> str:
        """The prefix of the rate limiter's counters."""
        return f"{self.root}:limits"

    def batch(self, batch_id: str) -> str:
        """The marker of a written batch of scans: replaying it is a no-op."""
        return f"{self.root}:batch:{batch_id}"

    def user(self, name: str) -> str:
        """The hash of one user (name in lower case)."""
        return f"{self.root}:user:{{{name}}}"

    def users(self) -> str:
        """The index of every user name."""
        return f"{self.root}:users"

    def user_sessions(self, name: str) -> str:
        """The digests of a user's live sign-in sessions."""
        return f"{self.root}:user:{{{name}}}:sessions"

    def session(self, digest: str) -> str:
        """One sign-in session, by the SHA-256 of its id."""
        return f"{self.root}:session:{digest}"

    def login_failures(self, scope: str, digest: str) -> str:
        """Failed logins of one account or address (``scope``), by digest."""
        return f"{self.root}:logins:{scope}:{digest}"

    def token(self, token_id: str) -> str:
        """The hash of one API token."""
        return f"{self.root}:token:{{{token_id}}}"

    def tokens(self) -> str:
        """The index of every API token id."""
        return f"{self.root}:tokens"

    def token_hashes(self) -> str:
        """The sha256 of each live token to its id."""
        return f"{self.root}:tokens:hashes"

    def audit(self) -> str:
        """The append-only stream of changes and logins."""
        return f"{self.root}:audit"
