"""State shared by invocations that run at the same time in one instance (each in its own thread): the cached SDK
clients. Each request gets the timeouts of its own invocation's deadline, and rotating keys never closes a client
an invocation is still using; the cache stays bounded."""

from __future__ import annotations

import copy
import gc
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor

import pytest
from huaweicloudsdkcce.v3 import CceClient, ShowClusterRequest
from huaweicloudsdkcce.v3.cce_exception_handler import CceExceptionHandler
from huaweicloudsdkcore.client import Client
from huaweicloudsdkcore.http.http_handler import HttpHandler
from requests.adapters import HTTPAdapter

from postcheck import sdk
from postcheck.cce import Cce
from postcheck.config import Credentials
from postcheck.deadline import Deadline
from scripts.local_context import LocalContext
from tests.support import CLUSTER, DEMO, event, operations

ROTATED = {"ak": "AKSTANDINROTATED00002", "sk": "sk-standin-rotated-secret", "security_token": "token-rotated"}


def two_credentials() -> dict:
    scenario = copy.deepcopy(DEMO)
    scenario["credentials"].append(ROTATED)
    return scenario


def credentials(standin, which: dict | None = None) -> Credentials:
    if which is None:
        cred = standin.credentials
        return Credentials(cred.ak, cred.sk, cred.security_token, standin.project_id)
    return Credentials(which["ak"], which["sk"], which["security_token"], standin.project_id)


def cce_client(standin, creds: Credentials, endpoint: str | None = None):
    return sdk.client_for("cce", CceClient, CceExceptionHandler(), endpoint or standin.url, creds, creds.project_id)


def frozen(seconds: float) -> Deadline:
    """A deadline whose clock stands still: exactly ``seconds`` left, however long the test takes."""
    return Deadline(seconds, reserve=0.0, clock=lambda: 0.0)


def show_cluster(client, deadline: Deadline, policy: sdk.CallPolicy):
    return sdk.invoke(client.show_cluster_invoker(ShowClusterRequest(cluster_id=CLUSTER)), "show_cluster",
                      deadline, policy)


# -- per-request timeouts ------------------------------------------------------------------------------------

def test_threads_sharing_a_client_each_send_with_their_own_deadlines_timeouts(standin, monkeypatch):
    creds = credentials(standin)
    client = cce_client(standin, creds)
    assert cce_client(standin, creds) is client  # one client, shared by both threads
    policy = sdk.CallPolicy(max_attempts=1, connect_s=2.0, read_s=7.0)
    # "short" has 3 s left: less than the read timeout the policy allows, so its read timeout is cut to 3 s;
    # "long" has a minute: the policy's own (connect, read).
    deadlines = {"short": (frozen(3.0), (2.0, 3.0)), "long": (frozen(60.0), (2.0, 7.0))}

    # Both requests are prepared (the SDK's request handlers run) before either is sent: a timeout kept on the
    # shared client would by then hold only one of the two values.
    prepared = threading.Barrier(2, timeout=30)
    process_request = HttpHandler.process_request

    def process_then_wait(self, *args, **kwargs):
        process_request(self, *args, **kwargs)
        prepared.wait()

    sent: dict[str, list] = {}
    send = HTTPAdapter.send

    def recording_send(self, request, *args, **kwargs):
        sent.setdefault(threading.current_thread().name, []).append(kwargs.get("timeout"))
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(HttpHandler, "process_request", process_then_wait)
    monkeypatch.setattr(HTTPAdapter, "send", recording_send)
    shared_timeout = client.get_http_client().config.timeout
    errors: list[BaseException] = []

    def run(name: str) -> None:
        try:
            show_cluster(client, deadlines[name][0], policy)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(name,), name=name) for name in deadlines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sent == {name: [expected] for name, (_, expected) in deadlines.items()}
    assert client.get_http_client().config.timeout == shared_timeout  # the shared configuration is left alone


def test_a_request_outside_a_call_keeps_the_clients_own_timeouts(standin, monkeypatch):
    client = cce_client(standin, credentials(standin))
    sent = []
    send = HTTPAdapter.send

    def recording_send(self, request, *args, **kwargs):
        sent.append(kwargs.get("timeout"))
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(HTTPAdapter, "send", recording_send)

    client.show_cluster(ShowClusterRequest(cluster_id=CLUSTER))  # not through sdk.invoke: no deadline

    assert sent == [tuple(client.get_http_client().config.timeout)]


def test_concurrent_invocations_with_different_budgets_each_keep_their_own(standin, invoke, context):
    # Both read the cluster, which CCE answers slowly. The invocation with a short budget gives up and reports a
    # timeout; the one with a long budget, sharing the same cached clients, waits for the answer and checks.
    standin.add_fault({"kind": "slow", "delay_s": 3.0, "operation": "show_cluster", "times": -1})
    cred = standin.credentials
    short = LocalContext(cred.ak, cred.sk, cred.security_token, standin.project_id, context._user_data, 2.0)
    long = LocalContext(cred.ak, cred.sk, cred.security_token, standin.project_id, context._user_data, 60.0)

    with ThreadPoolExecutor(2) as pool:
        long_run = pool.submit(invoke, event("postcheck_task_body"), long)
        short_run = pool.submit(invoke, event("postcheck_task_body"), short)
        short_result, long_result = short_run.result(), long_run.result()

    assert (short_result["outcome"], short_result["phase"]) == ("failed", "Error")
    assert (short_result["error"]["code"], short_result["error"]["operation"]) == ("Timeout", "show_cluster")
    assert (long_result["outcome"], long_result["phase"], long_result["error"]) == ("checked", "Success", None)
    assert len(standin.published) == 2


# -- client rotation and the cache's bound -------------------------------------------------------------------

@pytest.fixture
def closed_clients(monkeypatch) -> list:
    closed: list = []
    close = Client.close

    def recording_close(self):
        closed.append(self)
        close(self)

    monkeypatch.setattr(Client, "close", recording_close)
    return closed


@pytest.mark.parametrize("scenario", [two_credentials()])
def test_rotating_keys_never_closes_a_client_an_invocation_is_using(standin, closed_clients):
    standin.add_fault({"kind": "slow", "delay_s": 1.0, "operation": "show_cluster", "times": 1})
    before = cce_client(standin, credentials(standin))

    with ThreadPoolExecutor(1) as pool:
        in_flight = pool.submit(Cce(before, Deadline(60.0)).cluster, CLUSTER)
        for _ in range(600):  # until the stand-in holds the request (it answers a second later)
            if "show_cluster" in operations(standin):
                break
            time.sleep(0.05)
        after = cce_client(standin, credentials(standin, ROTATED))  # the next invocation, with rotated keys
        assert in_flight.result().id == CLUSTER

    assert after is not before
    assert closed_clients == []
    # The invocation that started with the old keys goes on with its client; the next ones use the new one.
    assert Cce(before, Deadline(60.0)).cluster(CLUSTER).id == CLUSTER
    assert Cce(after, Deadline(60.0)).cluster(CLUSTER).id == CLUSTER
    assert cce_client(standin, credentials(standin, ROTATED)) is after


@pytest.mark.parametrize("scenario", [two_credentials()])
def test_a_replaced_client_goes_once_its_last_user_drops_it(standin, closed_clients):
    client = cce_client(standin, credentials(standin))
    Cce(client, Deadline(60.0)).cluster(CLUSTER)  # a pooled connection
    gone = weakref.ref(client)

    cce_client(standin, credentials(standin, ROTATED))
    del client
    gc.collect()

    assert gone() is None  # the cache does not keep it alive
    assert closed_clients == []


def test_the_client_cache_is_bounded_and_keeps_what_is_in_use(standin):
    creds = credentials(standin)
    kept = cce_client(standin, creds)  # used by every "invocation" below
    made = []
    for port in range(1, 101):  # a process whose configured endpoint keeps changing; nothing is sent
        made.append(weakref.ref(cce_client(standin, creds, f"http://127.0.0.1:{port}")))
        assert cce_client(standin, creds) is kept
    gc.collect()

    assert sum(ref() is not None for ref in made) < len(made)
    assert made[-1]() is not None and cce_client(standin, creds, "http://127.0.0.1:100") is made[-1]()
