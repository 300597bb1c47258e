"""A bounded, seeded schemathesis run against the API's own OpenAPI document:
whatever the generated requests, the service answers without a 5xx.
"""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from service import codes, tokens


def test_no_generated_request_makes_the_api_fail(app, store):
    codes.create(store, "https://example.org/", slug="FUZZ")
    _, raw = tokens.create_token(store, "fuzzer", "staff")
    headers = {"Authorization": f"Bearer {raw}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), database=None)  # fmt: skip
        def answers_without_a_server_error(case):
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        answers_without_a_server_error()

    assert len(operations) >= 6
