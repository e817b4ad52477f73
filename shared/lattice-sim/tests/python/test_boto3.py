"""boto3 (and the AWS CLI) against the lattice-sim binary: an independent client that validates requests
against the botocore model before sending them.

Run with `python3 -m pytest shared/lattice-sim/tests/python`. The binary is taken from $LATTICE_SIM_BIN,
else `target/debug/lattice-sim` under the repository root (build it first with `cargo build -p lattice-sim`).
"""

import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

REPO_ROOT = Path(__file__).resolve().parents[4]
VPC = "vpc-0123456789abcdef0"
ACCOUNT = "123456789012"
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


def binary():
    path = Path(os.environ.get("LATTICE_SIM_BIN", REPO_ROOT / "target" / "debug" / "lattice-sim"))
    if not path.is_absolute():
        path = REPO_ROOT / path
    assert path.exists(), f"{path} not found: build it with `cargo build -p lattice-sim`"
    return path


class Sim:
    """A lattice-sim process on a free port."""

    def __init__(self, *args):
        self.proc = subprocess.Popen(
            [str(binary()), "--listen", "127.0.0.1:0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline()
        assert line.startswith("lattice-sim listening on "), line + self.proc.stderr.read()
        self.url = line.split()[-1]

    def client(self, service="vpc-lattice", config=None):
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name="us-west-2",
            aws_access_key_id="test",
            aws_secret_access_key="test",
            config=config,
        )

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(request) as response:
            return json.loads(response.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def sim():
    s = Sim()
    yield s
    s.stop()


@pytest.fixture
def lattice(sim):
    return sim.client(config=NO_RETRY)


def error_of(excinfo):
    err = excinfo.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"]


def make_tg(lattice, name, protocol="HTTP"):
    out = lattice.create_target_group(
        name=name, type="IP", config={"port": 80, "protocol": protocol, "vpcIdentifier": VPC}
    )
    return out["id"]


def make_service_with_listener(lattice, name):
    svc = lattice.create_service(name=name)["id"]
    tg = make_tg(lattice, f"{name}-tg")
    listener = lattice.create_listener(
        serviceIdentifier=svc,
        name="http",
        protocol="HTTP",
        defaultAction={"forward": {"targetGroups": [{"targetGroupIdentifier": tg}]}},
    )["id"]
    return svc, listener, tg


def test_service_network_crud(lattice):
    created = lattice.create_service_network(name="boto-net", tags={"team": "a"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["id"].startswith("sn-0") and len(created["id"]) == 20
    assert created["arn"] == f"arn:aws:vpc-lattice:us-west-2:{ACCOUNT}:servicenetwork/{created['id']}"
    got = lattice.get_service_network(serviceNetworkIdentifier=created["arn"])
    assert got["name"] == "boto-net"
    assert got["createdAt"] == got["lastUpdatedAt"]
    assert lattice.update_service_network(serviceNetworkIdentifier=created["id"], authType="AWS_IAM")["authType"] == "AWS_IAM"
    assert [n["name"] for n in lattice.list_service_networks()["items"]] == ["boto-net"]
    deleted = lattice.delete_service_network(serviceNetworkIdentifier=created["id"])
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as e:
        lattice.get_service_network(serviceNetworkIdentifier=created["id"])
    assert error_of(e) == ("ResourceNotFoundException", 404)
    assert e.value.response["resourceType"] == "SERVICE_NETWORK"


def test_service_crud_and_status(lattice):
    created = lattice.create_service(name="boto-svc")
    assert created["status"] == "CREATE_IN_PROGRESS"
    assert created["dnsEntry"]["domainName"].endswith(".vpc-lattice-svcs.us-west-2.on.aws")
    assert lattice.get_service(serviceIdentifier=created["id"])["status"] == "ACTIVE"
    updated = lattice.update_service(serviceIdentifier=created["id"], authType="AWS_IAM")
    assert updated["authType"] == "AWS_IAM"
    assert len(lattice.list_services(maxResults=1)["items"]) == 1
    deleted = lattice.delete_service(serviceIdentifier=created["arn"])
    assert deleted["status"] == "DELETE_IN_PROGRESS"
    assert lattice.list_services()["items"] == []


def test_listener_and_rules(lattice):
    svc, listener, tg = make_service_with_listener(lattice, "boto-routes")
    got = lattice.get_listener(serviceIdentifier=svc, listenerIdentifier=listener)
    assert got["port"] == 80
    assert got["defaultAction"]["forward"]["targetGroups"][0]["weight"] == 100
    rule = lattice.create_rule(
        serviceIdentifier=svc,
        listenerIdentifier=listener,
        name="api-v1",
        priority=1,
        match={"httpMatch": {"pathMatch": {"match": {"prefix": "/v1"}}, "method": "GET"}},
        action={"forward": {"targetGroups": [{"targetGroupIdentifier": tg}]}},
    )
    assert rule["ResponseMetadata"]["HTTPStatusCode"] == 201
    second = lattice.create_rule(
        serviceIdentifier=svc,
        listenerIdentifier=listener,
        name="api-v2",
        priority=2,
        match={"httpMatch": {"headerMatches": [{"name": "x-version", "match": {"exact": "2"}}]}},
        action={"fixedResponse": {"statusCode": 404}},
    )
    swap = lattice.batch_update_rule(
        serviceIdentifier=svc,
        listenerIdentifier=listener,
        rules=[{"ruleIdentifier": rule["id"], "priority": 2}, {"ruleIdentifier": second["id"], "priority": 1}],
    )
    assert len(swap["successful"]) == 2 and swap["unsuccessful"] == []
    listed = lattice.list_rules(serviceIdentifier=svc, listenerIdentifier=listener)["items"]
    assert [(r["name"], r.get("priority"), r["isDefault"]) for r in listed] == [
        ("api-v2", 1, False),
        ("api-v1", 2, False),
        ("default", None, True),
    ]
    default_rule = listed[-1]["id"]
    got = lattice.get_rule(serviceIdentifier=svc, listenerIdentifier=listener, ruleIdentifier=default_rule)
    assert "match" not in got and "priority" not in got
    with pytest.raises(ClientError) as e:
        lattice.delete_rule(serviceIdentifier=svc, listenerIdentifier=listener, ruleIdentifier=default_rule)
    assert error_of(e) == ("ValidationException", 400)
    updated = lattice.update_rule(
        serviceIdentifier=svc, listenerIdentifier=listener, ruleIdentifier=rule["arn"], priority=5
    )
    assert updated["priority"] == 5
    lattice.delete_rule(serviceIdentifier=svc, listenerIdentifier=listener, ruleIdentifier=rule["id"])
    lattice.update_listener(
        serviceIdentifier=svc, listenerIdentifier=listener, defaultAction={"fixedResponse": {"statusCode": 500}}
    )
    assert lattice.list_listeners(serviceIdentifier=svc)["items"][0]["name"] == "http"
    deleted = lattice.delete_listener(serviceIdentifier=svc, listenerIdentifier=listener)
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_target_groups_and_targets(sim, lattice):
    svc = lattice.create_service(name="boto-targets")["id"]
    tg = make_tg(lattice, "boto-tg")
    got = lattice.get_target_group(targetGroupIdentifier=tg)
    assert got["status"] == "ACTIVE"
    assert got["config"]["healthCheck"]["healthCheckIntervalSeconds"] == 30
    out = lattice.register_targets(
        targetGroupIdentifier=tg, targets=[{"id": "10.0.0.1"}, {"id": "10.0.0.2", "port": 8080}, {"id": "i-bad"}]
    )
    assert [t["id"] for t in out["successful"]] == ["10.0.0.1", "10.0.0.2"]
    assert out["unsuccessful"][0]["failureCode"] == "UnsupportedTarget"
    statuses = {t["id"]: t["status"] for t in lattice.list_targets(targetGroupIdentifier=tg)["items"]}
    assert statuses == {"10.0.0.1": "UNUSED", "10.0.0.2": "UNUSED"}
    lattice.create_listener(
        serviceIdentifier=svc,
        name="http",
        protocol="HTTP",
        defaultAction={"forward": {"targetGroups": [{"targetGroupIdentifier": tg}]}},
    )
    statuses = {t["id"]: t["status"] for t in lattice.list_targets(targetGroupIdentifier=tg)["items"]}
    assert statuses == {"10.0.0.1": "HEALTHY", "10.0.0.2": "HEALTHY"}
    script = {"targetGroupIdentifier": tg, "id": "10.0.0.2", "port": 8080, "status": "UNHEALTHY"}
    sim.admin("PUT", "/_sim/target-health", {**script, "reasonCode": "HealthCheckFailed"})
    scripted = [t for t in lattice.list_targets(targetGroupIdentifier=tg)["items"] if t["id"] == "10.0.0.2"]
    assert scripted[0]["status"] == "UNHEALTHY" and scripted[0]["reasonCode"] == "HealthCheckFailed"
    sim.admin("PUT", "/_sim/target-health", {**script, "status": None})
    assert lattice.get_target_group(targetGroupIdentifier=tg)["serviceArns"][0].endswith(svc)
    lattice.deregister_targets(targetGroupIdentifier=tg, targets=[{"id": "10.0.0.1"}])
    remaining = lattice.list_targets(targetGroupIdentifier=tg)["items"]
    assert [t["id"] for t in remaining] == ["10.0.0.2"]
    updated = lattice.update_target_group(targetGroupIdentifier=tg, healthCheck={"path": "/ready"})
    assert updated["config"]["healthCheck"]["path"] == "/ready"
    with pytest.raises(ClientError) as e:
        lattice.delete_target_group(targetGroupIdentifier=tg)
    assert error_of(e) == ("ConflictException", 409)
    listed = lattice.list_target_groups(targetGroupType="IP")["items"]
    assert listed[0]["port"] == 80 and "config" not in listed[0]


def test_associations(lattice):
    sn = lattice.create_service_network(name="boto-mesh")["id"]
    svc = lattice.create_service(name="boto-member")["id"]
    snsa = lattice.create_service_network_service_association(serviceNetworkIdentifier=sn, serviceIdentifier=svc)
    assert snsa["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert snsa["status"] == "CREATE_IN_PROGRESS" and snsa["createdBy"] == ACCOUNT
    got = lattice.get_service_network_service_association(serviceNetworkServiceAssociationIdentifier=snsa["id"])
    assert got["status"] == "ACTIVE" and got["serviceName"] == "boto-member"
    with pytest.raises(ClientError) as e:
        lattice.delete_service(serviceIdentifier=svc)
    assert error_of(e) == ("ConflictException", 409)
    snva = lattice.create_service_network_vpc_association(
        serviceNetworkIdentifier=sn, vpcIdentifier=VPC, securityGroupIds=["sg-12345678"]
    )
    other = lattice.create_service_network(name="boto-other")["id"]
    with pytest.raises(ClientError) as e:
        lattice.create_service_network_vpc_association(serviceNetworkIdentifier=other, vpcIdentifier=VPC)
    assert error_of(e) == ("ConflictException", 409)
    listed = lattice.list_service_network_vpc_associations(serviceNetworkIdentifier=sn)["items"]
    assert [a["vpcId"] for a in listed] == [VPC]
    with pytest.raises(ClientError) as e:
        lattice.list_service_network_service_associations()
    assert error_of(e) == ("ValidationException", 400)
    lattice.delete_service_network_service_association(serviceNetworkServiceAssociationIdentifier=snsa["id"])
    lattice.delete_service_network_vpc_association(serviceNetworkVpcAssociationIdentifier=snva["id"])
    assert lattice.get_service_network(serviceNetworkIdentifier=sn)["numberOfAssociatedVPCs"] == 0
    lattice.delete_service_network(serviceNetworkIdentifier=sn)
    lattice.delete_service(serviceIdentifier=svc)


def test_vpc_association_security_groups(sim, lattice):
    sn = lattice.create_service_network(name="boto-sg")["id"]
    snva = lattice.create_service_network_vpc_association(
        serviceNetworkIdentifier=sn, vpcIdentifier=VPC, securityGroupIds=["sg-0aaaaaaaaaaaaaaaa"],
        tags={"team": "net"},
    )
    got = lattice.get_service_network_vpc_association(serviceNetworkVpcAssociationIdentifier=snva["arn"])
    assert got["status"] == "ACTIVE" and got["securityGroupIds"] == ["sg-0aaaaaaaaaaaaaaaa"]
    assert got["serviceNetworkName"] == "boto-sg" and got["vpcId"] == VPC
    updated = lattice.update_service_network_vpc_association(
        serviceNetworkVpcAssociationIdentifier=snva["id"], securityGroupIds=["sg-0bbbbbbbbbbbbbbbb", "sg-0aaaaaaaaaaaaaaaa"]
    )
    assert updated["status"] == "UPDATE_IN_PROGRESS"
    got = lattice.get_service_network_vpc_association(serviceNetworkVpcAssociationIdentifier=snva["id"])
    assert got["status"] == "ACTIVE" and sorted(got["securityGroupIds"]) == ["sg-0aaaaaaaaaaaaaaaa", "sg-0bbbbbbbbbbbbbbbb"]
    # An association keeps at least one security group; the emulator says so itself (botocore's
    # own check of the minimum is turned off).
    unchecked = sim.client(config=Config(parameter_validation=False, retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as e:
        unchecked.update_service_network_vpc_association(
            serviceNetworkVpcAssociationIdentifier=snva["id"], securityGroupIds=[]
        )
    assert error_of(e) == ("ValidationException", 400)
    assert "securityGroupIds" in e.value.response["Error"]["Message"]
    by_vpc = lattice.list_service_network_vpc_associations(vpcIdentifier=VPC)["items"]
    assert [(a["id"], a["serviceNetworkName"]) for a in by_vpc] == [(snva["id"], "boto-sg")]
    assert lattice.list_tags_for_resource(resourceArn=snva["arn"])["tags"] == {"team": "net"}
    deleted = lattice.delete_service_network_vpc_association(serviceNetworkVpcAssociationIdentifier=snva["id"])
    assert deleted["status"] == "DELETE_IN_PROGRESS"
    assert lattice.list_service_network_vpc_associations(vpcIdentifier=VPC)["items"] == []


def test_shared_service_networks():
    s = Sim(
        "--shared-service-network", "name=central,owner=444455556666,listed=false",
        "--shared-service-network", "name=hub,owner=444455556666",
    )
    try:
        lattice = s.client(config=NO_RETRY)
        listed = {n["name"]: n for n in lattice.list_service_networks()["items"]}
        assert list(listed) == ["hub"], "an unlisted share is not listed"
        assert listed["hub"]["arn"].startswith("arn:aws:vpc-lattice:us-west-2:444455556666:servicenetwork/sn-")
        shared = s.admin("GET", "/_sim/state")["service_networks"]
        central = next(n for n in shared.values() if n["name"] == "central")
        arn = central["meta"]["arn"]
        assert lattice.get_service_network(serviceNetworkIdentifier=arn)["name"] == "central"
        # The account's own network may carry the same name as a shared one.
        own = lattice.create_service_network(name="hub")
        assert own["arn"].startswith(f"arn:aws:vpc-lattice:us-west-2:{ACCOUNT}:")
        snva = lattice.create_service_network_vpc_association(serviceNetworkIdentifier=arn, vpcIdentifier=VPC)
        by_vpc = lattice.list_service_network_vpc_associations(vpcIdentifier=VPC)["items"]
        assert [(a["serviceNetworkName"], a["serviceNetworkArn"]) for a in by_vpc] == [("central", arn)]
        svc = lattice.create_service(name="joins-central")["id"]
        lattice.create_service_network_service_association(serviceNetworkIdentifier=arn, serviceIdentifier=svc)
        for call in (
            lambda: lattice.delete_service_network(serviceNetworkIdentifier=arn),
            lambda: lattice.update_service_network(serviceNetworkIdentifier=arn, authType="AWS_IAM"),
            lambda: lattice.tag_resource(resourceArn=arn, tags={"k": "v"}),
            lambda: lattice.untag_resource(resourceArn=arn, tagKeys=["k"]),
            lambda: lattice.list_tags_for_resource(resourceArn=arn),
        ):
            with pytest.raises(ClientError) as e:
                call()
            assert error_of(e) == ("AccessDeniedException", 403)
            assert "owned by another account" in e.value.response["Error"]["Message"]
        lattice.delete_service_network_vpc_association(serviceNetworkVpcAssociationIdentifier=snva["id"])
    finally:
        s.stop()


def test_policies_and_access_logs(lattice):
    sn = lattice.create_service_network(name="boto-policy", authType="AWS_IAM")
    policy = json.dumps({"Version": "2012-10-17", "Statement": []}, indent=2)
    put = lattice.put_auth_policy(resourceIdentifier=sn["id"], policy=policy)
    assert put["state"] == "Active" and "\n" not in put["policy"]
    assert lattice.get_auth_policy(resourceIdentifier=sn["arn"])["state"] == "Active"
    lattice.delete_auth_policy(resourceIdentifier=sn["id"])
    lattice.put_resource_policy(resourceArn=sn["arn"], policy=policy)
    assert json.loads(lattice.get_resource_policy(resourceArn=sn["arn"])["policy"])["Version"] == "2012-10-17"
    lattice.delete_resource_policy(resourceArn=sn["arn"])
    als = lattice.create_access_log_subscription(
        resourceIdentifier=sn["id"], destinationArn="arn:aws:s3:::boto-logs"
    )
    assert als["resourceArn"] == sn["arn"]
    assert len(lattice.list_access_log_subscriptions(resourceIdentifier=sn["id"])["items"]) == 1
    lattice.delete_access_log_subscription(accessLogSubscriptionIdentifier=als["id"])


def test_auth_policy_follows_the_auth_type_of_its_service(lattice):
    svc = lattice.create_service(name="boto-auth")
    assert svc["authType"] == "NONE"
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
                                                                   "Action": "vpc-lattice-svcs:Invoke", "Resource": "*"}]})
    assert lattice.get_auth_policy(resourceIdentifier=svc["id"]).get("policy") is None
    assert lattice.put_auth_policy(resourceIdentifier=svc["arn"], policy=policy)["state"] == "Inactive"
    assert lattice.update_service(serviceIdentifier=svc["id"], authType="AWS_IAM")["authType"] == "AWS_IAM"
    got = lattice.get_auth_policy(resourceIdentifier=svc["id"])
    assert got["state"] == "Active" and json.loads(got["policy"]) == json.loads(policy)
    assert "createdAt" in got and "lastUpdatedAt" in got
    lattice.update_service(serviceIdentifier=svc["id"], authType="NONE")
    assert lattice.get_auth_policy(resourceIdentifier=svc["id"])["state"] == "Inactive"
    lattice.delete_auth_policy(resourceIdentifier=svc["id"])
    assert lattice.get_auth_policy(resourceIdentifier=svc["id"]).get("policy") is None
    with pytest.raises(ClientError) as e:
        lattice.put_auth_policy(resourceIdentifier=svc["id"], policy="{not json")
    assert error_of(e) == ("ValidationException", 400)
    with pytest.raises(ClientError) as e:
        lattice.put_auth_policy(resourceIdentifier="svc-0123456789abcdef0", policy=policy)
    assert error_of(e) == ("ResourceNotFoundException", 404)
    with pytest.raises(ClientError) as e:
        lattice.update_service(serviceIdentifier=svc["id"], authType="KERBEROS")
    assert error_of(e) == ("ValidationException", 400)
    lattice.put_auth_policy(resourceIdentifier=svc["id"], policy=policy)
    lattice.delete_service(serviceIdentifier=svc["id"])


def test_access_log_subscriptions_update_conflict_tag_and_cascade(sim, lattice):
    svc = lattice.create_service(name="boto-logged")
    group = f"arn:aws:logs:us-west-2:{ACCOUNT}:log-group:boto"
    tags = {"ManagedBy": "me", "AccessLogPolicy": "default/logs"}
    als = lattice.create_access_log_subscription(resourceIdentifier=svc["id"], destinationArn=group, tags=tags)
    assert als["resourceId"] == svc["id"] and als["destinationArn"] == group
    with pytest.raises(ClientError) as e:
        lattice.create_access_log_subscription(resourceIdentifier=svc["arn"], destinationArn=group + "-2")
    assert error_of(e) == ("ConflictException", 409)
    updated = lattice.update_access_log_subscription(accessLogSubscriptionIdentifier=als["arn"],
                                                     destinationArn=group + "-2")
    assert updated["destinationArn"] == group + "-2"
    with pytest.raises(ClientError) as e:
        lattice.update_access_log_subscription(accessLogSubscriptionIdentifier=als["id"],
                                               destinationArn="arn:aws:s3:::boto-logs")
    assert error_of(e) == ("ConflictException", 409)
    firehose = lattice.create_access_log_subscription(
        resourceIdentifier=svc["id"], destinationArn=f"arn:aws:firehose:us-west-2:{ACCOUNT}:deliverystream/boto")
    got = lattice.get_access_log_subscription(accessLogSubscriptionIdentifier=als["id"])
    assert got["destinationArn"] == group + "-2" and "createdAt" in got
    assert lattice.list_tags_for_resource(resourceArn=als["arn"])["tags"] == tags
    tagging = sim.client("resourcegroupstaggingapi", NO_RETRY)
    found = tagging.get_resources(TagFilters=[{"Key": "AccessLogPolicy", "Values": ["default/logs"]}])
    assert [m["ResourceARN"] for m in found["ResourceTagMappingList"]] == [als["arn"]]
    with pytest.raises(ClientError) as e:
        lattice.create_access_log_subscription(resourceIdentifier=svc["id"], destinationArn="arn:aws:sqs:us-west-2:1:q")
    assert error_of(e) == ("ValidationException", 400)
    items = lattice.list_access_log_subscriptions(resourceIdentifier=svc["id"], maxResults=1)
    assert len(items["items"]) == 1 and items.get("nextToken")
    lattice.delete_service(serviceIdentifier=svc["id"])
    for gone in (als["id"], firehose["id"]):
        with pytest.raises(ClientError) as e:
            lattice.get_access_log_subscription(accessLogSubscriptionIdentifier=gone)
        assert error_of(e) == ("ResourceNotFoundException", 404)
    assert tagging.get_resources(TagFilters=[{"Key": "AccessLogPolicy"}])["ResourceTagMappingList"] == []


def test_target_group_health_check_update(lattice):
    tg = lattice.create_target_group(name="boto-hc", type="IP",
                                     config={"port": 80, "protocol": "HTTP", "vpcIdentifier": VPC})
    assert tg["config"]["healthCheck"]["path"] == "/"
    updated = lattice.update_target_group(targetGroupIdentifier=tg["id"], healthCheck={
        "enabled": True, "path": "/healthz", "healthCheckIntervalSeconds": 10, "matcher": {"httpCode": "200-299"}})
    check = updated["config"]["healthCheck"]
    assert (check["path"], check["healthCheckIntervalSeconds"], check["matcher"]) == ("/healthz", 10, {"httpCode": "200-299"})
    assert check["healthCheckTimeoutSeconds"] == 5, "fields not given keep their values"
    with pytest.raises(ClientError) as e:
        lattice.update_target_group(targetGroupIdentifier=tg["id"], healthCheck={"healthCheckIntervalSeconds": 3})
    assert error_of(e) == ("ValidationException", 400)


def test_tags_and_tagging_api(sim, lattice):
    svc = lattice.create_service(name="boto-tagged", tags={"ManagedBy": "me"})
    tg = lattice.create_target_group(name="boto-fn", type="LAMBDA", tags={"ManagedBy": "me", "Kind": "fn"})
    lattice.create_service(name="boto-foreign", tags={"ManagedBy": "other"})
    lattice.tag_resource(resourceArn=svc["arn"], tags={"Route": "r1"})
    assert lattice.list_tags_for_resource(resourceArn=svc["arn"])["tags"] == {"ManagedBy": "me", "Route": "r1"}
    lattice.untag_resource(resourceArn=svc["arn"], tagKeys=["Route"])
    assert lattice.list_tags_for_resource(resourceArn=svc["arn"])["tags"] == {"ManagedBy": "me"}

    tagging = sim.client("resourcegroupstaggingapi", NO_RETRY)
    out = tagging.get_resources(TagFilters=[{"Key": "ManagedBy", "Values": ["me"]}])
    assert [m["ResourceARN"] for m in out["ResourceTagMappingList"]] == [svc["arn"], tg["arn"]]
    assert out["PaginationToken"] == ""
    only_tgs = tagging.get_resources(
        TagFilters=[{"Key": "ManagedBy"}], ResourceTypeFilters=["vpc-lattice:targetgroup"]
    )["ResourceTagMappingList"]
    assert only_tgs[0]["Tags"] == [{"Key": "Kind", "Value": "fn"}, {"Key": "ManagedBy", "Value": "me"}]
    pages = list(tagging.get_paginator("get_resources").paginate(ResourcesPerPage=1))
    assert len(pages) == 3
    with pytest.raises(ClientError) as e:
        tagging.get_resources(ResourcesPerPage=500)
    assert error_of(e) == ("InvalidParameterException", 400)


def test_validation_and_errors(lattice):
    with pytest.raises(ClientError) as e:
        lattice.create_service(name="svc-reserved")
    assert error_of(e) == ("ValidationException", 400)
    assert e.value.response["reason"] == "fieldValidationFailed"
    assert e.value.response["fieldList"][0]["name"] == "name"
    lattice.create_service(name="boto-dup")
    with pytest.raises(ClientError) as e:
        lattice.create_service(name="boto-dup")
    assert error_of(e) == ("ConflictException", 409)
    with pytest.raises(ClientError) as e:
        lattice.get_target_group(targetGroupIdentifier="tg-0123456789abcdef0")
    assert error_of(e) == ("ResourceNotFoundException", 404)
    svc, _, _ = make_service_with_listener(lattice, "boto-quota")
    lattice.create_listener(
        serviceIdentifier=svc, name="https", protocol="HTTPS", defaultAction={"fixedResponse": {"statusCode": 404}}
    )
    with pytest.raises(ClientError) as e:
        lattice.create_listener(
            serviceIdentifier=svc,
            name="third",
            protocol="HTTP",
            port=8080,
            defaultAction={"fixedResponse": {"statusCode": 404}},
        )
    assert error_of(e) == ("ServiceQuotaExceededException", 402)
    assert e.value.response["quotaCode"] == "L-D64E952E"


def test_idempotent_client_token(lattice):
    first = lattice.create_target_group(name="boto-idem", type="LAMBDA", clientToken="same-token")
    again = lattice.create_target_group(name="boto-idem", type="LAMBDA", clientToken="same-token")
    assert first["id"] == again["id"]
    with pytest.raises(ClientError) as e:
        lattice.create_target_group(name="boto-other", type="LAMBDA", clientToken="same-token")
    assert error_of(e) == ("ConflictException", 409)


def test_faults_and_calls(sim, lattice):
    assert sim.admin("PUT", "/_sim/faults", {"failAfter": 1})["failAfter"] == 1
    lattice.list_services()
    with pytest.raises(ClientError) as e:
        lattice.list_services()
    assert error_of(e) == ("InternalServerException", 500)
    sim.admin("PUT", "/_sim/faults", {"failAfter": None, "throttleRate": 1})
    with pytest.raises(ClientError) as e:
        lattice.list_services()
    assert error_of(e) == ("ThrottlingException", 429)
    assert e.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "1"
    sim.admin("PUT", "/_sim/faults", {"throttleRate": 0})
    assert sim.admin("GET", "/_sim/calls") == {"ListServices": 3}
    sim.admin("DELETE", "/_sim/calls")
    assert sim.admin("GET", "/_sim/calls") == {}


def test_eks_describe_cluster():
    s = Sim("--cluster", "name=prod,endpoint=https://prod.example.com,ca=Q0FEQVRB,vpc=vpc-12345678")
    try:
        eks = s.client("eks", NO_RETRY)
        cluster = eks.describe_cluster(name="prod")["cluster"]
        assert cluster["arn"] == f"arn:aws:eks:us-west-2:{ACCOUNT}:cluster/prod"
        assert cluster["endpoint"] == "https://prod.example.com"
        assert cluster["certificateAuthority"]["data"] == "Q0FEQVRB"
        assert cluster["resourcesVpcConfig"]["vpcId"] == "vpc-12345678"
        assert cluster["status"] == "ACTIVE"
        with pytest.raises(ClientError) as e:
            eks.describe_cluster(name="missing")
        assert error_of(e) == ("ResourceNotFoundException", 404)
    finally:
        s.stop()


def test_state_file_survives_restart(tmp_path):
    state = tmp_path / "state.json"
    first = Sim("--state", str(state), "--transition-delay-ms", "0")
    try:
        svc = first.client(config=NO_RETRY).create_service(name="boto-durable")["id"]
    finally:
        first.stop()
    second = Sim("--state", str(state))
    try:
        assert second.client(config=NO_RETRY).get_service(serviceIdentifier=svc)["name"] == "boto-durable"
    finally:
        second.stop()


def test_transition_delay_and_draining():
    s = Sim("--transition-delay-ms", "300", "--drain-ms", "300")
    try:
        lattice = s.client(config=NO_RETRY)
        tg = make_tg(lattice, "boto-slow")
        with pytest.raises(ClientError) as e:
            lattice.register_targets(targetGroupIdentifier=tg, targets=[{"id": "10.0.0.1"}])
        assert error_of(e) == ("ConflictException", 409)
        assert "CREATE_IN_PROGRESS" in e.value.response["Error"]["Message"]
        deadline = time.monotonic() + 5
        while lattice.get_target_group(targetGroupIdentifier=tg)["status"] != "ACTIVE":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        lattice.register_targets(targetGroupIdentifier=tg, targets=[{"id": "10.0.0.1"}])
        lattice.deregister_targets(targetGroupIdentifier=tg, targets=[{"id": "10.0.0.1"}])
        assert lattice.list_targets(targetGroupIdentifier=tg)["items"][0]["status"] == "DRAINING"
        while lattice.list_targets(targetGroupIdentifier=tg)["items"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        s.stop()


def test_aws_cli_list_services(sim, lattice):
    assert shutil.which("aws") is not None, "the aws CLI is needed: pip install awscli"
    lattice.create_service(name="cli-visible")
    env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-west-2")
    out = subprocess.run(
        ["aws", "--endpoint-url", sim.url, "--output", "json", "vpc-lattice", "list-services"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=60,
    )
    assert [s["name"] for s in json.loads(out.stdout)["items"]] == ["cli-visible"]


def test_lists_lag_behind_creates(sim, lattice):
    assert sim.admin("PUT", "/_sim/faults", {"listLag": 2})["listLag"] == 2
    created = lattice.create_service(name="boto-lagging")
    assert sim.admin("PUT", "/_sim/faults", {"listLag": None})["listLag"] == 0
    names = lambda: [s["name"] for s in lattice.list_services()["items"]]
    assert "boto-lagging" not in names()
    assert lattice.get_service(serviceIdentifier=created["id"])["name"] == "boto-lagging"
    assert "boto-lagging" not in names()
    assert "boto-lagging" in names()
