"""The OpenAPI document is the contract: it publishes the lead's wire models as they are."""

from __future__ import annotations

from desktop.sync.wire import PushBatch
from tests.support.hq_server import HqServer


def test_openapi_names_every_endpoint_with_the_wire_models(hq_server: HqServer) -> None:
    with hq_server.client() as client:
        doc = client.get("/openapi.json").json()
        docs_page = client.get("/docs")
    assert docs_page.status_code == 200
    assert set(doc["paths"]) == {
        "/healthz", "/api/v1/sync/push", "/api/v1/sync/changes", "/api/v1/sync/leases",
        "/api/v1/sync/persons/{national_code}", "/api/v1/sync/chains/{chain}",
        "/api/v1/sync/certificates/{tracking_code}",
        # issue 14: what a store restored from a backup takes back (hq/recovery.py)
        "/api/v1/sync/recovery/received", "/api/v1/sync/recovery/persons",
        "/api/v1/sync/recovery/reference", "/api/v1/sync/recovery/records",
        # issue 15: the outside authorities' API (hq/panel/api.py)
        "/api/v1/inquiries", "/api/v1/inquiries/{tracking_code}/letter.pdf",
        "/api/v1/certificates/verify"}
    schemas = doc["components"]["schemas"]
    for name in ("PushBatch", "PushAck", "PullPage", "LeaseRequest", "Lease", "CentralPerson",
                 "ChainCopy", "CertificateCopy", "ErrorBody"):
        assert name in schemas, name
    assert set(schemas["PushBatch"]["properties"]) == set(PushBatch.model_fields)
    push = doc["paths"]["/api/v1/sync/push"]["post"]
    assert {"401", "403", "413", "422"} <= set(push["responses"])


def test_unknown_paths_and_methods_answer_an_error_body(hq_server: HqServer) -> None:
    from desktop.sync.wire import ErrorBody

    with hq_server.client() as client:
        missing = client.get("/api/v1/nothing-here")
        wrong_method = client.get("/api/v1/sync/push")
    assert missing.status_code == 404 and ErrorBody.model_validate(missing.json()).fa
    assert wrong_method.status_code == 405 and ErrorBody.model_validate(wrong_method.json()).code == "http_405"
