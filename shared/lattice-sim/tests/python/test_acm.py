"""boto3's ACM client against lattice-sim: ListCertificates with seeded certificates (command line,
admin API and state file), its filters and pagination."""

import pytest
from botocore.exceptions import ClientError

from test_boto3 import NO_RETRY, Sim, error_of


@pytest.fixture
def sim():
    s = Sim(
        "--certificate", "domain=rates.example.com,key=EC_prime256v1,issued=1700000000",
        "--certificate", "domain=*.example.com,san=*.example.com,san=example.com,issued=1600000000",
    )
    yield s
    s.stop()


def arns(listing):
    return [c["CertificateArn"] for c in listing["CertificateSummaryList"]]


def test_default_filter_lists_rsa_2048_only_and_key_types_widen_it(sim):
    acm = sim.client("acm", config=NO_RETRY)
    rsa = acm.list_certificates()["CertificateSummaryList"]
    assert [c["DomainName"] for c in rsa] == ["*.example.com"]
    assert rsa[0]["SubjectAlternativeNameSummaries"] == ["*.example.com", "example.com"]
    assert rsa[0]["KeyAlgorithm"] == "RSA_2048" and rsa[0]["Status"] == "ISSUED"
    assert rsa[0]["IssuedAt"].timestamp() == 1600000000
    every = acm.list_certificates(
        CertificateStatuses=["ISSUED"], Includes={"keyTypes": ["RSA_2048", "RSA_4096", "EC_prime256v1"]}
    )["CertificateSummaryList"]
    assert sorted(c["KeyAlgorithm"] for c in every) == ["EC_prime256v1", "RSA_2048"]


def test_status_filter_admin_seeding_and_pagination(sim):
    acm = sim.client("acm", config=NO_RETRY)
    expired = sim.admin("POST", "/_sim/certificates", {"domainName": "old.example.com", "status": "EXPIRED"})
    assert expired["certificateArn"].startswith("arn:aws:acm:us-west-2:123456789012:certificate/")
    for i in range(5):
        sim.admin("POST", "/_sim/certificates", {"domainName": f"n{i}.example.org", "keyAlgorithm": "RSA_4096"})
    issued = acm.list_certificates(CertificateStatuses=["ISSUED"], Includes={"keyTypes": ["RSA_2048", "RSA_4096"]})
    assert expired["certificateArn"] not in arns(issued)
    assert len(arns(issued)) == 6
    every = acm.list_certificates(CertificateStatuses=["EXPIRED"])
    assert arns(every) == [expired["certificateArn"]]

    pages = acm.get_paginator("list_certificates").paginate(
        Includes={"keyTypes": ["RSA_4096"]}, PaginationConfig={"PageSize": 2}
    )
    seen = [arns(p) for p in pages]
    assert [len(p) for p in seen] == [2, 2, 1]
    assert len({a for p in seen for a in p}) == 5
    assert sim.admin("GET", "/_sim/calls")["ListCertificates"] >= 3


def test_invalid_requests(sim):
    acm = sim.client("acm", config=NO_RETRY)
    with pytest.raises(ClientError) as e:
        acm.list_certificates(NextToken="forged")
    assert error_of(e)[1] == 400
    with pytest.raises(ClientError) as e:
        acm.list_certificates(SortBy="CREATED_AT")
    assert error_of(e) == ("ValidationException", 400)
    with pytest.raises(Exception):
        sim.admin("POST", "/_sim/certificates", {"domainName": "x.example.com", "keyAlgorithm": "DSA"})


def test_certificates_survive_a_restart(tmp_path):
    state = tmp_path / "state.json"
    first = Sim("--state", str(state), "--certificate", "domain=keep.example.com")
    arn = arns(first.client("acm").list_certificates())[0]
    first.stop()
    # The same --certificate again does not add a second one.
    second = Sim("--state", str(state), "--certificate", "domain=keep.example.com")
    try:
        assert arns(second.client("acm").list_certificates()) == [arn]
    finally:
        second.stop()
