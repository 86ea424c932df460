"""The AK, SK and security token never appear in logs, results or exceptions."""

from __future__ import annotations

import io
import json
import logging

import pytest

from postcheck import logs
from scripts.local_context import LocalContext
from tests.support import TOPIC, event

SCENARIO_EVENTS = ["manual", "manual_with_versions", "manual_dry_run", "postcheck_task_body", "cts_cluster_upgrade",
                   "eventgrid_cluster_upgrade", "smn_manual", "cts_other_trace", "invalid_cluster_id",
                   "invalid_wrong_type", "invalid_unknown_shape"]


@pytest.fixture
def log_output():
    """Everything the function's own handler writes, and every record at DEBUG, raw."""
    logger = logs.configure()
    [handler] = [h for h in logger.handlers if getattr(h, "_postcheck", False)]
    buffer = io.StringIO()
    old = handler.setStream(buffer)
    raw = io.StringIO()
    raw_handler = logging.StreamHandler(raw)
    root = logging.getLogger()
    root.addHandler(raw_handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    logger.setLevel(logging.DEBUG)
    try:
        yield lambda: buffer.getvalue() + raw.getvalue()
    finally:
        handler.setStream(old)
        root.removeHandler(raw_handler)
        root.setLevel(level)
        logger.setLevel(logging.INFO)


def _secrets(standin):
    cred = standin.credentials
    return [cred.ak, cred.sk, cred.security_token]


def test_no_secret_in_logs_results_or_exceptions(standin, invoke, context, log_output):
    texts = []
    for name in SCENARIO_EVENTS:
        texts.append(json.dumps(invoke(event(name))))
    # failures: an API error, an unreachable endpoint, a bad signature, an unpublishable result
    texts.append(json.dumps(invoke({"cluster_id": "00000000-0000-4000-8000-000000000000"})))
    cred = standin.credentials
    wrong_sk = LocalContext(cred.ak, cred.sk + "x", cred.security_token, standin.project_id, context._user_data)
    with pytest.raises(Exception) as bad_signature:
        invoke(event("manual"), wrong_sk)
    texts += [str(bad_signature.value), repr(bad_signature.value)]
    context._user_data["SMN_TOPIC_URN"] = TOPIC.replace("cce-upgrades", "missing")
    with pytest.raises(Exception) as raised:  # an unknown cluster: a failed result, whose publish fails
        invoke({"cluster_id": "00000000-0000-4000-8000-000000000000"})
    texts += [str(raised.value), repr(raised.value)]
    texts.append(log_output())

    everything = "\n".join(texts)
    assert "APIG.0301" in everything  # the bad signature really was exercised
    assert "SMN.0006" in everything
    for secret in _secrets(standin):
        assert secret not in everything


def test_a_secret_that_reaches_a_log_line_is_masked(standin, invoke, log_output):
    invoke(event("manual_with_versions"))  # registers the invocation's keys
    cred = standin.credentials

    logs.get("test").warning("leak attempt %s %s", cred.sk, cred.security_token, extra={"ak": cred.ak})

    written = log_output().splitlines()
    own = [line for line in written if "leak attempt" in line and line.startswith("{")]
    assert own and logs.MASK in own[0]
    assert cred.sk not in own[0] and cred.ak not in own[0] and cred.security_token not in own[0]


def test_credentials_repr_hides_the_keys(standin):
    from postcheck.config import Credentials

    cred = standin.credentials
    shown = repr(Credentials(cred.ak, cred.sk, cred.security_token, standin.project_id))

    assert cred.ak not in shown and cred.sk not in shown and cred.security_token not in shown


def test_an_internal_error_fails_cleanly_with_details_only_in_the_masked_logs(standin, invoke, log_output,
                                                                                monkeypatch):
    from postcheck import dispatch, errors

    cred = standin.credentials

    def broken(*args, **kwargs):
        raise KeyError(f"boom {cred.sk}")

    monkeypatch.setattr(dispatch, "check_cluster", broken)

    with pytest.raises(errors.InvocationFailed) as raised:
        invoke(event("manual_with_versions"))

    assert str(raised.value) == "internal error (KeyError); the function's logs have the details"
    assert raised.value.__suppress_context__
    written = log_output()
    assert "internal error" in written and "Traceback" in written  # the details are in the logs...
    assert cred.sk not in written  # ...masked
