"""A transaction whose answer was lost is retried by botocore with the same ClientRequestToken, so
DynamoDB does not apply it twice nor refuse the retry as a lost race (moto ignores the token: what
is tested here is that every transaction carries one, fresh per transaction, reused by retries)."""

from __future__ import annotations

import json

from botocore.exceptions import ReadTimeoutError

from tests.support import STRONG_PASSWORD


def test_every_transaction_carries_its_own_token_and_a_retry_repeats_it(api, aws):
    from portal import services

    sent: list[str] = []  # per call
    attempts: list[str] = []  # per attempt on the wire
    lost_once = {"done": False}

    def record(params, **_):
        sent.append(params.get("ClientRequestToken"))

    def lose_the_first_answer(request, **_):
        attempts.append(json.loads(request.body)["ClientRequestToken"])
        if not lost_once["done"]:
            lost_once["done"] = True
            raise ReadTimeoutError(endpoint_url="http://dynamodb")

    events = services.client("dynamodb").meta.events
    events.register("provide-client-params.dynamodb.TransactWriteItems", record)
    events.register("before-send.dynamodb.TransactWriteItems", lose_the_first_answer)
    try:
        assert api.register("ann@example.org", STRONG_PASSWORD).status == 202
        assert api.register("bob@example.org", STRONG_PASSWORD).status == 202
    finally:
        events.unregister("provide-client-params.dynamodb.TransactWriteItems", record)
        events.unregister("before-send.dynamodb.TransactWriteItems", lose_the_first_answer)

    assert lost_once["done"]
    assert len(sent) == 2 and all(token and len(token) >= 32 for token in sent)
    assert sent[0] != sent[1]
    assert attempts == [sent[0], sent[0], sent[1]]  # the retry of the first carried its token
