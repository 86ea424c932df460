"""What the parser says, alone (no stand-in, no network): each event form gives the intent the README describes, and
a rejection names the field and what was expected (README, "Events it accepts": ``rejected``, "naming the field and
what was expected"; "The result": ``trigger`` says where the event came from, a place is written
``events[2].data.resource_id``; issue 7: a rejection message is under 1 KiB, names at most a few keys, each cut
short, and a value it quotes is quoted as JSON text).

The wording asserted here is the part of a message that tells the sender what to send: the field first, then
what was expected and what was given.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from typing import Any

import pytest

from postcheck.intent import Batch, CheckIntent, Ignored, InvalidEvent, Refused, SweepIntent
from postcheck.parse import parse_event
from tests.support import CLUSTER, UPGRADE_TASK, event

KIB = 1024
EVENT_LIMIT = 640 * KIB  # docs/design.md: events larger than 640 KiB are refused
MESSAGE_LIMIT = KIB  # issue 7: a rejection message under 1 KiB
MANUAL = {"cluster_id": CLUSTER}


def rejection(evt: Any) -> str:
    with pytest.raises(InvalidEvent) as raised:
        parse_event(evt)
    message = str(raised.value)
    assert len(message.encode("utf-8")) < MESSAGE_LIMIT
    return message


def in_smn(inner: Any, records: int = 1) -> dict[str, Any]:
    """``inner`` as the message of each of ``records`` SMN records (FunctionGraph's SMN trigger event)."""
    text = inner if isinstance(inner, str) else json.dumps(inner)
    return {"record": [{"smn": {"message": text, "message_attributes": None}} for _ in range(records)]}


# -- the event as it arrives: an object, JSON text or bytes ---------------------------------------------------

@pytest.mark.parametrize("form", [lambda e: e, json.dumps, lambda e: json.dumps(e).encode(),
                                  lambda e: bytearray(json.dumps(e).encode()),
                                  lambda e: memoryview(json.dumps(e).encode())],
                         ids=["object", "text", "bytes", "bytearray", "memoryview"])
def test_an_event_as_an_object_json_text_or_bytes_asks_for_the_same(form):
    assert parse_event(form(event("manual_with_versions"))) == parse_event(event("manual_with_versions"))


@pytest.mark.parametrize(
    ("evt", "kind"),
    [([], "a list"), ("[1, 2]", "a list"), ('"text"', "a string"), ("5", "a number"), ("1.5", "a number"),
     (5, "a number"), (2.5, "a number"), ("true", "a boolean"), (False, "a boolean"), ("null", "null"),
     (None, "null"), (b"[]", "a list")],
)
def test_an_event_that_is_no_object_is_rejected_saying_what_it_is(evt, kind):
    assert rejection(evt) == f"event: expected a JSON object, got {kind}"


def test_text_that_is_not_json_is_rejected_with_the_json_readers_reason():
    message = rejection("{not json")

    assert message.startswith("event: expected a JSON object, got text that is not JSON (")
    # json.JSONDecodeError.msg for this text (https://docs.python.org/3/library/json.html#json.JSONDecodeError)
    assert "(Expecting property name enclosed in double quotes)" in message


@pytest.mark.parametrize(("raw", "at"), [(b"\xff", 0), (b'{"cluster_id": "\xe4\xb8"}', 16), (b"{}\x80", 2)])
def test_bytes_that_are_not_utf8_are_rejected_naming_the_first_bad_byte(raw, at):
    assert rejection(raw) == f"event: expected UTF-8 JSON, byte {at} is not UTF-8"


def padded(size: int) -> str:
    """The manual event as JSON text of exactly ``size`` characters (blanks after it are JSON's whitespace)."""
    text = json.dumps(MANUAL)
    return text + " " * (size - len(text))


@pytest.mark.parametrize("as_bytes", [False, True], ids=["text", "bytes"])
def test_an_event_of_640_kib_is_read_and_a_larger_one_refused_saying_how_large(as_bytes):
    def encoded(size: int) -> Any:
        return padded(size).encode() if as_bytes else padded(size)

    assert parse_event(encoded(EVENT_LIMIT)) == parse_event(MANUAL)

    message = rejection(encoded(EVENT_LIMIT + 1))

    assert message.startswith("event: ")
    assert f"{EVENT_LIMIT + 1} {'bytes' if as_bytes else 'characters'}" in message
    assert str(EVENT_LIMIT) in message and "limit" in message


def test_an_smn_message_longer_than_smn_sends_is_refused_naming_it():
    """SMN's PublishMessage: a message is at most 256 KB (../shared/reference/platform-facts.md)."""
    assert isinstance(parse_event(in_smn(padded(256 * KIB))), CheckIntent)

    message = rejection(in_smn(padded(256 * KIB + 1)))

    assert message.startswith("record[0].smn.message: ") and str(256 * KIB) in message


# -- an event this function does not know -------------------------------------------------------------------

def test_an_unrecognised_event_says_which_events_are_expected():
    message = rejection({"hello": "world"})

    assert message.startswith("event: unrecognised event: expected ")
    # README, "Events it accepts": every form, by what identifies it
    for form in ('{"cluster_id": ...}', "PostCheckTask", '{"sweep": true}', '{"cts": ...}', "CTS trace",
                 "CloudEvent", '{"events": [...]}', "SMN", "timer"):
        assert form in message
    assert message.endswith("got an object with keys [hello]")


@pytest.mark.parametrize("count", [1, 2, 3])
def test_an_unrecognised_event_of_a_few_keys_names_them_all(count):
    keys = [f"key{i}" for i in range(count)]

    message = rejection(dict.fromkeys(keys, 1))

    assert message.endswith(f"keys [{', '.join(keys)}]")
    assert "more" not in message


@pytest.mark.parametrize("count", [4, 10, 500])
def test_an_unrecognised_event_of_many_keys_names_a_few_and_counts_the_others(count):
    keys = [f"key{i:03}" for i in range(count)]

    message = rejection(dict.fromkeys(keys, 1))

    listed = message.rsplit("keys [", 1)[1].removesuffix("]").split(", ")
    named = [key for key in listed if key in keys]
    assert 1 <= len(named) < count and listed[-1] == f"and {count - len(named)} more"
    assert listed[:-1] == named and named == sorted(named)


def test_a_long_key_is_named_by_its_start_and_cut_short():
    key = "k" * 10 + "x" * 5_000

    message = rejection({key: 1})

    shown = message.rsplit("keys [", 1)[1].removesuffix("]")
    assert shown.startswith("k" * 10) and shown.endswith("...") and len(shown) < 100


# -- triggers: where the event came from ----------------------------------------------------------------------

def api_body(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(event("postcheck_task_body"))
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("evt", "trigger"),
    [(event("manual"), "manual"), (event("postcheck_task_body"), "postcheck_body"),
     (event("cts_cluster_upgrade"), "cts"), (event("cts_trace"), "cts"),
     (event("eventgrid_cluster_upgrade"), "eventgrid"),
     (event("eventgrid_data_text"), "eventgrid"), (event("timer"), "timer"), ({"sweep": True}, "manual_sweep"),
     (in_smn(event("manual")), "smn/manual"), (in_smn(event("postcheck_task_body")), "smn/postcheck_body"),
     (in_smn(event("cts_cluster_upgrade")), "smn/cts"), (in_smn(event("cts_trace")), "smn/cts"),
     (in_smn(event("eventgrid_cluster_upgrade")), "smn/eventgrid"), (in_smn(event("timer")), "smn/timer"),
     (in_smn({"sweep": True}), "smn/manual_sweep"), (event("cts_other_trace"), "cts"),
     (in_smn(event("cts_other_trace")), "smn/cts"), ({"events": [event("eventgrid_cluster_upgrade")]}, "eventgrid"),
     (event("cts_other_trace")["cts"], "cts"), (in_smn(event("cts_other_trace")["cts"]), "smn/cts")],
    ids=["manual", "api-body", "cts", "trace", "eventgrid", "eventgrid-text", "timer", "sweep", "smn-manual",
         "smn-api-body", "smn-cts", "smn-trace", "smn-eventgrid", "smn-timer", "smn-sweep", "other-trace",
         "smn-other-trace", "delivery-of-one", "other-trace-alone", "smn-other-trace-alone"],
)
def test_each_event_names_where_it_came_from(evt, trigger):
    assert parse_event(evt).trigger == trigger


def test_a_delivery_names_its_trigger_and_each_event_its_own():
    eventgrid = parse_event({"events": [event("eventgrid_cluster_upgrade"), event("eventgrid_batch")["events"][1]]})
    smn = parse_event({"record": [*in_smn(event("manual"))["record"], *in_smn(event("timer"))["record"],
                                  *in_smn(event("cts_cluster_upgrade"))["record"]]})

    assert eventgrid.trigger == "eventgrid" and [item.trigger for item in eventgrid.items] == ["eventgrid"] * 2
    assert smn.trigger == "smn" and [item.trigger for item in smn.items] == ["smn/manual", "smn/timer", "smn/cts"]


# -- what each event asks for -----------------------------------------------------------------------------

@pytest.mark.parametrize("dry_run", [False, True])
@pytest.mark.parametrize("force", [False, True])
def test_a_manual_event_asks_for_what_it_names(dry_run, force):
    evt = {**event("manual_with_versions"), "dry_run": dry_run, "force": force}

    intent = parse_event(evt)

    assert intent == CheckIntent(cluster_id=CLUSTER, trigger="manual", cluster_version="v1.15.11-r1",
                                 target_version="v1.19.16-r80", dry_run=dry_run, force=force)


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_api_body_asks_for_what_the_manual_event_would(dry_run):
    body = api_body(dry_run=dry_run) if dry_run else api_body()
    manual = {**event("manual_with_versions"), "dry_run": dry_run}

    intent = parse_event(body)

    assert intent == CheckIntent(**{**vars(parse_event(manual)), "trigger": "postcheck_body"})
    assert intent.dry_run is dry_run and intent.force is False and not intent.follow_upgrade


def test_the_api_body_without_versions_leaves_them_to_cce():
    intent = parse_event({"apiVersion": "v3", "kind": "PostCheckTask", "spec": {"clusterID": CLUSTER.upper()}})

    assert intent == CheckIntent(cluster_id=CLUSTER, trigger="postcheck_body")


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_sweep_request_asks_for_a_sweep_of_now(dry_run):
    evt = {"sweep": True, "dry_run": dry_run} if dry_run else {"sweep": True}

    assert parse_event(evt) == SweepIntent(trigger="manual_sweep", anchor=None, dry_run=dry_run)


def test_a_timer_event_anchors_the_sweep_at_its_own_time():
    intent = parse_event(event("timer"))  # "2026-11-28T06:30:00+08:00"

    assert intent == SweepIntent(trigger="timer", anchor=datetime(2026, 11, 27, 22, 30, tzinfo=timezone.utc))
    assert intent.dry_run is False


@pytest.mark.parametrize("via", ["cts", "eventgrid", "smn"])
def test_an_upgrade_trace_asks_to_follow_that_upgrade_with_what_the_trace_says(via):
    evt = {"cts": event("cts_cluster_upgrade"), "eventgrid": event("eventgrid_cluster_upgrade"),
           "smn": in_smn(event("cts_cluster_upgrade"))}[via]
    trace = (evt.get("cts") or evt.get("data")) if via != "smn" else event("cts_cluster_upgrade")["cts"]

    intent = parse_event(evt)

    assert intent.cluster_id == CLUSTER and intent.cluster_name == "prod-east"
    assert intent.upgrade_task_id == UPGRADE_TASK and intent.trace_id == trace["trace_id"]
    assert intent.follow_upgrade is True
    assert intent.traced_at == datetime.fromtimestamp(trace["time"] / 1000, timezone.utc)
    assert intent.cluster_version is None and intent.target_version is None  # CCE's upgrade task says them
    assert intent.dry_run is False and intent.force is False


# -- what a rejection says about each field ---------------------------------------------------------------

@pytest.mark.parametrize(
    ("evt", "expected"),
    [
        ({"apiVersion": "v3", "kind": "PostCheckTask"}, "spec: required"),
        ({"apiVersion": "v3", "kind": "PostCheckTask", "spec": {}}, "spec.clusterID: required"),
        ({**MANUAL, "cluster": "prod-east"}, "cluster: unexpected field"),
        (api_body(spec={"clusterID": CLUSTER, "cluster_version": "v1.15.11-r1"}),
         "spec.cluster_version: unexpected field"),
        ({"cluster_id": 42}, "cluster_id: expected a string, got 42"),
        ({"cluster_id": None}, "cluster_id: expected a string, got null"),
        ({"cluster_id": [CLUSTER]}, "cluster_id: expected a string, got a list"),
        ({**MANUAL, "dry_run": "yes"}, 'dry_run: expected true or false, got "yes"'),
        ({**MANUAL, "force": 1}, "force: expected true or false, got 1"),
        ({"sweep": "true"}, 'sweep: expected true or false, got "true"'),
        ({"sweep": False}, "sweep: expected true"),
        (api_body(spec="x"), 'spec: expected an object, got "x"'),
        (api_body(spec=[]), "spec: expected an object, got a list"),
        ({"cts": "x"}, 'cts: expected an object, got "x"'),
        ({"cts": 5}, "cts: expected an object, got 5"),
        ({"events": "x"}, 'events: expected a list, got "x"'),
        ({"events": {}}, "events: expected a list, got an object"),
        ({"record": 5}, "record: expected a list, got 5"),
        ({"events": [event("eventgrid_batch")["events"][1]] * 21}, "events: expected at most 20 items, got 21"),
        ({"cluster_id": "prod-east"}, "cluster_id: expected a CCE ID"),
        ({"trigger_type": "TIMER"}, "time: required"),
        ({"trigger_type": "TIMER", "time": 5}, "time: expected a string, got 5"),
        ({"record": [{"smn": {"message": 5}}]}, "record[0].smn.message: expected a string"),
    ],
)
def test_a_rejection_names_the_field_and_what_was_expected(evt, expected):
    assert rejection(evt).startswith(expected)


@pytest.mark.parametrize(("value", "quoted"), [("prod-east", '"prod-east"'), ("", '""'), ("a\nb", '"a\\nb"'),
                                               ("\u4e2d", '"\\u4e2d"'), ("\u2028", '"\\u2028"'),
                                               ('say "hi"', '"say \\"hi\\""')])
def test_text_given_is_quoted_as_json_text_on_one_line(value, quoted):
    message = rejection({"cluster_id": value})

    assert message.startswith("cluster_id: expected a CCE ID") and message.endswith(f", got {quoted}")
    assert "\n" not in message and "\u2028" not in message


@pytest.mark.parametrize(("value", "shown"), [(42, "42"), (-7, "-7"), (0, "0"), (1.5, "1.5"), (-0.25, "-0.25"),
                                              (1764310800000, "1764310800000"), (1764310800.5, "1764310800.5"),
                                              (True, "true"), (False, "false"), (None, "null"), ({}, "an object"),
                                              ({"a": 1}, "an object"), ([], "a list"), ([1, 2], "a list")])
def test_a_value_given_that_is_no_text_is_shown_as_json_or_by_its_kind(value, shown):
    assert rejection({"cluster_id": value}) == f"cluster_id: expected a string, got {shown}"


@pytest.mark.parametrize("value", [10**40, -(10**40), 1e300, -1e300, 1.5e20])
def test_a_huge_number_given_is_called_a_number_not_printed(value):
    assert rejection({"cluster_id": value}) == "cluster_id: expected a string, got a number"


def test_a_pydantic_value_error_reads_as_what_was_expected():
    message = rejection({"cluster_id": "prod-east"})

    assert "Value error" not in message
    assert message.startswith("cluster_id: expected a CCE ID") and message.endswith(', got "prod-east"')


def test_an_unexpected_literal_names_the_accepted_value():
    message = rejection(api_body(apiVersion="v2"))

    assert message.startswith("apiVersion: ") and "'v3'" in message and message.endswith('got "v2"')


@pytest.mark.parametrize(("text", "prefix_chars"), [("x" * 200, 20), ("\u4e2d" * 200, 5), ("\U0001f389" * 200, 2),
                                                   ("a\nb" * 100, 10), ("\\" * 200, 10)])
def test_long_text_given_is_cut_short_at_a_whole_character(text, prefix_chars):
    message = rejection({"cluster_id": text})

    quoted = message.split(", got ", 1)[1]
    assert quoted.startswith('"') and quoted.endswith('..."') and len(quoted) < 100
    shown = json.loads(quoted.removesuffix('..."') + '"')  # whole JSON escapes only
    assert len(shown) >= prefix_chars and text.startswith(shown)


def test_text_as_long_as_a_quote_may_be_is_not_cut():
    # a CCE ID given in an unknown field is shown whole
    message = rejection({"trigger_type": "TIMER", "time": CLUSTER})

    assert message.endswith(f'got "{CLUSTER}"')


# -- several errors at once ----------------------------------------------------------------------------------

def test_a_few_errors_are_each_named_in_the_models_order():
    message = rejection({"cluster_id": 1, "dry_run": 2})

    assert message == "cluster_id: expected a string, got 1; dry_run: expected true or false, got 2"


@pytest.mark.parametrize("extra", [3, 5, 40])
def test_many_errors_name_the_first_few_and_count_the_rest(extra):
    evt = {"cluster_id": 1, **{f"extra{i:02}": i for i in range(extra)}}

    message = rejection(evt)

    parts = message.split("; ")
    assert parts[0] == "cluster_id: expected a string, got 1"
    named = parts[1:-1]
    assert all(part.endswith(": unexpected field") for part in named)
    assert parts[-1] == f"and {extra + 1 - 1 - len(named)} more"
    assert 1 <= len(named) < extra


def test_a_rejection_of_exactly_as_many_errors_as_are_named_counts_none_more():
    """The smallest number of errors that gets an "and N more" tells how many are named; one fewer names all."""
    counts = {}
    for extra in range(1, 10):
        message = rejection({"cluster_id": 1, **{f"extra{i}": i for i in range(extra)}})
        counts[extra + 1] = message
    first_cut = min(n for n, message in counts.items() if "more" in message)
    named_all = counts[first_cut - 1]

    assert len(named_all.split("; ")) == first_cut - 1 and "more" not in named_all
    assert counts[first_cut].endswith("; and 1 more")


# -- where in the event -------------------------------------------------------------------------------------

def test_a_list_item_is_written_with_brackets_and_a_key_after_a_dot():
    assert rejection({**MANUAL, "n": [0, {"m": 10**101}]}).startswith("n[1].m: a number longer than")
    assert rejection({**MANUAL, "n": {"0": {"1": [10**101]}}}).startswith("n.0.1[0]: a number longer than")


def test_a_bound_broken_by_the_whole_event_names_the_event():
    assert rejection({**MANUAL, "n": list(range(20_001))}).startswith("event: more than 20000 values")
    deep: Any = 0
    for _ in range(30):
        deep = [deep]
    assert rejection({**MANUAL, "n": deep}).startswith("event: nested deeper than 24 levels")


def test_a_long_path_is_cut_short_keeping_its_start():
    keys = [f"level{i}" + "k" * 30 for i in range(10)]
    value: Any = 10**101
    for key in reversed(keys):
        value = {key: value}

    message = rejection({**MANUAL, **value})

    path, reason = message.split(": ", 1)
    assert reason.startswith("a number longer than")
    assert path.startswith(f"{keys[0]}.{keys[1]}") and path.endswith("...") and len(path) < len(".".join(keys))


def test_a_long_key_in_a_path_is_cut_short_keeping_its_start():
    key = "start" + "k" * 1_000

    message = rejection({**MANUAL, key: 1})

    field = message.split(": unexpected field")[0]
    assert field.startswith("start") and field.endswith("...") and len(field) < 100


def test_a_place_inside_a_delivery_is_under_the_events_place():
    bad = copy.deepcopy(event("eventgrid_cluster_upgrade"))
    bad["data"]["resource_id"] = "prod-east"
    no_id = {k: v for k, v in event("eventgrid_cluster_upgrade").items() if k != "id"}
    long_source = {**event("eventgrid_cluster_upgrade"), "source": "s" * 300}

    parsed = parse_event({"events": [bad, no_id, long_source, 7, None]})

    messages = [item.message for item in parsed.items]
    assert all(isinstance(item, Refused) for item in parsed.items)
    assert messages[0].startswith("events[0].data.resource_id: expected the upgraded cluster's ID")
    assert messages[1] == "events[1].id: required, missing"
    assert messages[2].startswith("events[2].source: ")
    assert messages[3] == "events[3]: expected a CloudEvent (an object), got a number"
    assert messages[4] == "events[4]: expected a CloudEvent (an object), got null"


def test_a_cloudevent_alone_names_its_attributes_at_the_top():
    no_type = {k: v for k, v in event("eventgrid_cluster_upgrade").items() if k != "type"}

    assert rejection(no_type) == "type: required, missing"


@pytest.mark.parametrize(("record", "message"), [(7, "record[0]: expected an object, got 7"),
                                                 ({}, "record[0].smn: required, missing"),
                                                 ({"smn": 5}, "record[0].smn: expected an object, got 5"),
                                                 ({"smn": {}}, "record[0].smn.message: required, missing")])
def test_a_broken_smn_record_is_named_by_its_place(record, message):
    assert rejection({"record": [record]}) == message
    assert parse_event({"record": [record, record]}).items[1].message == message.replace("[0]", "[1]")


def test_a_rejection_inside_the_message_of_one_record_or_several():
    bad = {"cluster_id": "prod-east"}

    alone = rejection(in_smn(bad))
    several = parse_event({"record": [*in_smn(event("manual"))["record"], *in_smn(bad)["record"]]})

    assert alone.startswith("smn.message: cluster_id: expected a CCE ID")
    assert isinstance(several.items[0], CheckIntent)
    assert several.items[1].message.startswith("record[1].smn.message: cluster_id: expected a CCE ID")


def test_an_smn_message_carries_one_event_not_a_delivery_nor_another_smn_event():
    delivery = rejection(in_smn(event("eventgrid_batch")))
    smn = rejection(in_smn(event("smn_manual")))

    assert delivery.startswith("smn.message: events: ") and "EventGrid delivery" in delivery
    assert smn.startswith("smn.message: record: ") and "another SMN event" in smn


def test_each_record_of_several_is_refused_on_its_own_for_a_delivery_inside_it():
    parsed = parse_event(in_smn(event("eventgrid_batch"), records=2))

    assert isinstance(parsed, Batch)
    assert [item.message.split(": ", 2)[:2] for item in parsed.items] == [["record[0].smn.message", "events"],
                                                                          ["record[1].smn.message", "events"]]


# -- a trace: ignored with its reason, or followed -------------------------------------------------------------

def test_another_services_trace_is_ignored_naming_its_service_and_trace():
    intent = parse_event({"cts": {"service_type": "ECS", "trace_name": "createServer"}})

    assert intent == Ignored(trigger="cts", reason='trace "ECS"/"createServer" is not a CCE/clusterUpgrade trace')


def test_a_trace_of_missing_fields_is_ignored_saying_they_are_missing():
    intent = parse_event({"cts": {"trace_name": "clusterUpgrade"}})

    assert isinstance(intent, Ignored) and intent.reason.startswith('trace null/"clusterUpgrade" is not')


@pytest.mark.parametrize("data", [{"service_type": "ECS"}, {"trace_name": "createServer"},
                                  json.dumps({"service_type": "ECS"})])
def test_a_cloudevent_whose_data_names_a_trace_is_read_as_one(data):
    """A trace's service_type or trace_name alone makes ``data`` a trace (both are mandatory in a trace: CTS, "Trace
    Structure"), judged as a trace: the reason names it."""
    intent = parse_event({**event("eventgrid_cluster_upgrade"), "data": data})

    assert isinstance(intent, Ignored) and intent.reason.startswith("trace ") and "CCE/clusterUpgrade" in intent.reason
    assert intent.trigger == "eventgrid"


def test_a_cloudevent_of_another_service_is_ignored_naming_its_source_and_type():
    intent = parse_event(event("eventgrid_batch")["events"][1])

    ce = event("eventgrid_batch")["events"][1]
    assert intent == Ignored(trigger="eventgrid", reason=f'the CloudEvent from "{ce["source"]}" of type '
                             f'"{ce["type"]}" carries no CTS trace')


def test_a_refused_upgrade_request_is_ignored_with_its_status():
    intent = parse_event({"cts": {**event("cts_cluster_upgrade")["cts"], "code": 409}})

    assert intent == Ignored(trigger="cts", reason="the traced upgrade request failed with HTTP 409: no upgrade was "
                             "started")


@pytest.mark.parametrize("code", [100, 200, 302, 399])
def test_an_upgrade_request_answered_below_400_is_followed(code):
    assert isinstance(parse_event({"cts": {**event("cts_cluster_upgrade")["cts"], "code": code}}), CheckIntent)


@pytest.mark.parametrize(("resource_id", "shown"), [("prod-east", '"prod-east"'), ({}, "an object"), (7, "7")])
def test_a_resource_id_that_is_no_cluster_id_is_rejected_quoting_it(resource_id, shown):
    message = rejection({"cts": {**event("cts_cluster_upgrade")["cts"], "resource_id": resource_id}})

    assert message.startswith("cts.resource_id: expected the upgraded cluster's ID (a UUID such as ")
    assert message.endswith(f"got {shown}")


def test_a_response_too_long_to_read_names_the_field_and_where_in_it():
    trace = {**event("cts_cluster_upgrade")["cts"], "response": '{"metadata": {"uid": ' + "7" * 200 + "}}"}

    message = rejection({"cts": trace})

    assert message.startswith("cts.response: a number longer than 100 characters")
    assert "metadata.uid" in message


def test_a_response_too_deep_names_the_field_alone():
    trace = {**event("cts_cluster_upgrade")["cts"], "response": "[" * 100 + "]" * 100}

    assert rejection({"cts": trace}) == "cts.response: nested deeper than 24 levels"


@pytest.mark.parametrize("response", [{"metadata": {"uid": "prod-east"}}, {"metadata": "x"}, {"metadata": {}},
                                      {"uid": UPGRADE_TASK}, {"metadata": {"uid": 7}}])
def test_a_response_without_a_well_formed_task_id_leaves_the_task_to_be_looked_up(response):
    intent = parse_event({"cts": {**event("cts_cluster_upgrade")["cts"], "response": response}})

    assert isinstance(intent, CheckIntent) and intent.upgrade_task_id is None


def test_the_task_id_is_read_in_cces_lower_case_form():
    response = {"metadata": {"uid": UPGRADE_TASK.upper()}}

    intent = parse_event({"cts": {**event("cts_cluster_upgrade")["cts"], "response": response}})

    assert intent.upgrade_task_id == UPGRADE_TASK


@pytest.mark.parametrize("name", ["", None, 5])
def test_a_trace_without_a_readable_resource_name_has_no_cluster_name(name):
    intent = parse_event({"cts": {**event("cts_cluster_upgrade")["cts"], "resource_name": name}})

    assert intent.cluster_name is None


# -- a timer's time -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("time", ["2000-06-01T00:00:00Z", "2026-11-28T06:30:00+08:00", "2999-01-01T00:00:00Z",
                                  "8999-12-31T00:00:00Z"])
def test_a_timer_time_of_any_ordinary_year_is_read(time):
    assert isinstance(parse_event({"trigger_type": "TIMER", "time": time}), SweepIntent)


@pytest.mark.parametrize("time", ["0001-01-01T00:00:00Z", "0001-01-01T00:30:00+01:00", "1000-01-01T00:00:00Z",
                                  "9999-12-31T23:59:59Z", "9999-12-31T23:30:00-01:00"])
def test_a_timer_time_that_leaves_no_room_for_a_sweeps_window_is_rejected_quoting_it(time):
    """The time anchors the sweep's window (up to a day before it): a time at the end of what a date can hold is
    refused, naming the field, never an error."""
    message = rejection({"trigger_type": "TIMER", "time": time})

    assert message.startswith("time: expected a time between the years ") and message.endswith(f'got "{time}"')


def test_a_timer_time_that_is_not_iso_8601_is_rejected_with_an_example():
    message = rejection({"trigger_type": "TIMER", "time": "yesterday"})

    assert message == 'time: expected an ISO 8601 time such as 2023-06-01T08:30:00+08:00, got "yesterday"'
    example = message.split("such as ", 1)[1].split(",", 1)[0]
    assert parse_event({"trigger_type": "TIMER", "time": example}).anchor == datetime(2023, 6, 1, 0, 30,
                                                                                     tzinfo=timezone.utc)


# -- messages stay bounded whatever the event holds ----------------------------------------------------------

@pytest.mark.parametrize(
    "evt",
    [
        {"cluster_id": "\u4e2d" * 5_000, "cluster_version": "\u4e2d" * 5_000, "target_version": "\u4e2d" * 5_000,
         "dry_run": "\u4e2d" * 5_000, **{f"{i}" + "\u4e2d" * 500: 1 for i in range(5)}},
        {"\u4e2d" * 5_000 + str(i): 1 for i in range(20)},
        in_smn({"\u4e2d" * 5_000 + str(i): 1 for i in range(20)}),
        {"events": [{**event("eventgrid_cluster_upgrade"), "data": {**event("eventgrid_cluster_upgrade")["data"],
                                                                    "resource_id": "\u4e2d" * 5_000}}] * 2},
    ],
    ids=["cjk-values", "cjk-keys", "smn-cjk-keys", "delivery"],
)
def test_every_message_is_under_1_kib_of_utf8(evt):
    try:
        parsed = parse_event(evt)
    except InvalidEvent as exc:
        messages = [str(exc)]
    else:
        messages = [item.message for item in parsed.items]
    for message in messages:
        assert len(message.encode("utf-8")) < MESSAGE_LIMIT
        message.encode("utf-8")  # no lone surrogate


def test_a_lone_surrogate_in_a_message_becomes_a_replacement_character():
    message = rejection({"\ud800": 1})

    assert message.endswith("keys [\ufffd]")


# -- the bounds of an event meant for this function, wherever it is --------------------------------------------

def nested_list(levels: int) -> Any:
    value: Any = 0
    for _ in range(levels):
        value = [value]
    return value


def test_an_event_given_as_an_object_is_held_to_640_kib_too():
    assert rejection({**MANUAL, "note": "x" * EVENT_LIMIT}) == f"event: larger than the {EVENT_LIMIT}-byte limit"


def test_a_trace_on_its_own_is_held_to_the_bounds_of_an_event():
    trace = event("cts_trace")

    assert rejection({**trace, "request": nested_list(30)}) == "event: nested deeper than 24 levels"
    assert rejection({**trace, "user": {"id": 10**101}}).startswith("user.id: a number longer than 100 characters")


@pytest.mark.parametrize("records", [1, 2])
def test_an_smn_record_is_held_to_the_bounds_of_an_event_naming_it(records):
    record = {**in_smn(event("manual"))["record"][0], "extra": {"n": 10**101}}
    deep = {**in_smn(event("manual"))["record"][0], "extra": nested_list(30)}

    if records == 1:
        assert rejection({"record": [record]}).startswith("record[0].extra.n: a number longer than 100 characters")
        assert rejection({"record": [deep]}) == "record[0]: nested deeper than 24 levels"
    else:
        parsed = parse_event({"record": [record, deep]})
        assert parsed.items[0].message.startswith("record[0].extra.n: a number longer than 100 characters")
        assert parsed.items[1].message == "record[1]: nested deeper than 24 levels"


@pytest.mark.parametrize(("via", "field"), [("cts", "cts"), ("eventgrid", "data"), ("trace", "")])
@pytest.mark.parametrize("name", ["trace_id", "resource_name"])
def test_a_name_longer_than_128_characters_refuses_an_upgrade_trace_naming_it(via, field, name):
    """docs/design.md, "How events are read and bounded": a resource_name or trace_id longer than 128 characters refuses
    a CCE upgrade trace."""
    def carried(length: int) -> Any:
        trace = {**event("cts_cluster_upgrade")["cts"], name: "n" * length}
        return {"cts": {"cts": trace}, "eventgrid": {**event("eventgrid_cluster_upgrade"), "data": trace},
                "trace": trace}[via]

    assert isinstance(parse_event(carried(128)), CheckIntent)
    assert rejection(carried(129)).startswith(f"{field}.{name}: " if field else f"{name}: ")


# -- what no JSON event can be, from a Python caller -----------------------------------------------------------

def test_a_number_too_long_to_read_is_a_number_too():
    assert rejection("1" * 200) == "event: expected a JSON object, got a number"
    assert rejection('{"events": [' + "1" * 200 + "]}") == "events[0]: expected a CloudEvent (an object), got a number"


@pytest.mark.parametrize(("value", "name"), [((1, 2), "tuple"), ({1, 2}, "set")])
def test_a_value_no_json_event_can_be_is_refused_naming_its_type(value, name):
    """parse_event raises InvalidEvent alone (its docstring), whatever a Python caller passes."""
    assert rejection(value) == f"event: expected a JSON object, got {name}"


def test_a_value_inside_that_no_json_event_can_hold_is_named_by_its_type():
    assert rejection({"cluster_id": (1, 2)}) == "cluster_id: expected a string, got tuple"


def test_keys_that_are_not_text_are_named_as_values():
    assert rejection({5: 1, None: 2}).endswith("got an object with keys [5, null]")


# -- a timer's time: what the rejection says is accepted is accepted --------------------------------------------

def test_the_years_a_timer_rejection_names_are_accepted_and_no_others():
    message = rejection({"trigger_type": "TIMER", "time": "0001-01-01T00:00:00Z"})
    first, last = (int(year) for year in message.split("between the years ", 1)[1].split(",", 1)[0].split(" and "))

    def timer(time: str) -> Any:
        return {"trigger_type": "TIMER", "time": time}

    assert isinstance(parse_event(timer(f"{first:04}-01-01T00:00:00Z")), SweepIntent)
    assert isinstance(parse_event(timer(f"{last:04}-12-31T23:59:59Z")), SweepIntent)
    assert rejection(timer(f"{first - 1:04}-12-31T23:59:59Z")).startswith("time: expected a time between")
    assert rejection(timer(f"{last + 1:04}-01-01T00:00:00Z")).startswith("time: expected a time between")


# -- a quoted value: whole, or a cut that says so --------------------------------------------------------------

def quoted_value(text: str) -> str:
    return rejection({"cluster_id": text}).split(", got ", 1)[1]


@pytest.mark.parametrize("char", ["x", "\u4e2d", "\u2028", "\U0001f389", "\n"],
                         ids=["ascii", "cjk", "u2028", "emoji", "nl"])
def test_a_value_is_quoted_whole_or_cut_at_its_start_saying_so_whatever_its_length(char):
    shown_before = 0
    for length in range(1, 120):
        text = char * length
        quoted = quoted_value(text)
        assert quoted.isascii() and quoted.startswith('"') and quoted.endswith('"')  # JSON text, escaped
        if quoted.endswith('..."'):
            shown = json.loads(quoted.removesuffix('..."') + '"')
            assert text.startswith(shown) and len(shown) < length
        else:
            shown = json.loads(quoted)
            assert shown == text and shown_before == length - 1  # never whole again once cut
            shown_before = length
        assert len(quoted) < 100


@pytest.mark.parametrize("char", ["x", "\u4e2d"])
def test_a_short_value_is_quoted_whole(char):
    assert json.loads(quoted_value(char * 5)) == char * 5
