"""Every form an event is documented in (issue 9), parsed alone (no stand-in, no network).

Sources: FunctionGraph's CTS trigger page and its samples (``"resource_id": {}``, empty strings, epoch
milliseconds: https://support.huaweicloud.com/en-us/usermanual-functiongraph/functiongraph_01_0209.html), CTS's
trace structure (``trace_rating``; ``request``/``response``/``code`` typed as strings by the API:
https://support.huaweicloud.com/intl/en-us/usermanual-cts/cts_03_0010.html) and example traces (``"2016/12/08
11:07:28 GMT+08:00"``, ``""``: https://support.huaweicloud.com/eu/fr-fr/usermanual-cts/cts_03_0011.html), other
FunctionGraph runtimes' samples (epoch seconds, ``"code": 0``, two SMN records, timer v1.0 with text or JSON in
``user_event``), EventGrid's example event (``{"events": [...]}``, ``HC.OBS``:
https://support.huaweicloud.com/eu/fr-fr/usermanual-eg/eg-ug-015.html) and ``../shared/reference/platform-facts.md``.

The rule (README, "Events it accepts"): ``rejected`` only for an event meant for this function and malformed (among
triggers: a CCE upgrade trace whose resource_id is no cluster ID, an SMN message that is not JSON, a broken
envelope, a broken bound); any other trace or CloudEvent ``ignored``, with the reason.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postcheck.intent import Batch, CheckIntent, Ignored, InvalidEvent, Refused, SweepIntent
from postcheck.parse import parse_event
from tests.support import CLUSTER, UPGRADE_TASK, event

UPGRADE = {"service_type": "CCE", "trace_name": "clusterUpgrade", "resource_id": CLUSTER}
# The platform facts: 1529974447000 ms is "2018/06/26 08:54:07 GMT+08:00".
SAMPLE_INSTANT = datetime(2018, 6, 26, 0, 54, 7, tzinfo=timezone.utc)


def rejection(evt: Any) -> str:
    with pytest.raises(InvalidEvent) as raised:
        parse_event(evt)
    message = str(raised.value)
    assert len(message.encode()) < 1024
    return message


def wrapped(trace: dict[str, Any], via: str) -> Any:
    """``trace`` as each trigger carries it, and where a rejection names its fields."""
    if via == "cts":
        return {"cts": trace}
    if via == "trace":  # on its own, as CTS writes and shows it
        return trace
    if via in ("eventgrid", "eventgrid-text"):
        ce = event("eventgrid_cluster_upgrade")
        ce["data"] = json.dumps(trace) if via == "eventgrid-text" else trace
        return ce
    if via == "events":
        return {"events": [event("eventgrid_batch")["events"][1], wrapped(trace, "eventgrid")]}
    return {"record": [{"smn": {"message": json.dumps({"cts": trace}), "message_attributes": None}}]}


VIAS = ["cts", "trace", "eventgrid", "eventgrid-text", "smn"]
FIELD = {"cts": "cts.", "trace": "", "eventgrid": "data.", "eventgrid-text": "data.", "smn": "smn.message: cts."}


def intent_of(evt: Any) -> Any:
    parsed = parse_event(evt)
    if isinstance(parsed, Batch):  # the EventGrid delivery: the trace is the second event
        parsed = parsed.items[1]
    return parsed


# -- which traces are this function's -------------------------------------------------------------------------

@pytest.mark.parametrize("via", [*VIAS, "events"])
@pytest.mark.parametrize("service_type", ["CCE", "cce", "Cce", " CCE "])
@pytest.mark.parametrize("trace_name", ["clusterUpgrade", "clusterupgrade", "ClusterUpgrade"])
def test_a_cce_upgrade_trace_is_followed_whatever_the_case(via, service_type, trace_name):
    intent = intent_of(wrapped({**UPGRADE, "service_type": service_type, "trace_name": trace_name}, via))

    assert isinstance(intent, CheckIntent) and intent.follow_upgrade
    assert intent.cluster_id == CLUSTER


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(
    "fields",
    [
        {"service_type": "FunctionGraph", "trace_name": "deleteGraph"},
        {"service_type": "CCE", "trace_name": "deleteCluster"},
        {"service_type": "ECS", "trace_name": "clusterUpgrade"},
        {"service_type": "", "trace_name": ""},  # a trace of empty fields
        {"service_type": None, "trace_name": None},
        {"service_type": 1, "trace_name": 2},
        {"service_type": {}, "trace_name": []},
        {"service_type": "\uff23\uff23\uff25", "trace_name": "clusterUpgrade"},  # fullwidth: not CCE's
        {"service_type": "CCE2", "trace_name": "clusterUpgrade"},
    ],
)
@pytest.mark.parametrize("resource_id", [{}, "", None, "urn:fgs:region:projectId:graph:workflow-2be1", CLUSTER])
def test_any_other_trace_is_ignored_with_the_reason_whatever_its_fields_hold(via, fields, resource_id):
    intent = intent_of(wrapped({**fields, "resource_id": resource_id, "code": {}, "time": [], "request": 5}, via))

    assert isinstance(intent, Ignored)
    assert "is not a CCE/clusterUpgrade trace" in intent.reason
    assert len(intent.reason) < 300


@pytest.mark.parametrize("via", ["cts", "eventgrid"])
def test_a_trace_without_the_fields_that_name_it_is_ignored(via):
    intent = intent_of(wrapped({}, via) if via == "cts" else {**event("eventgrid_cluster_upgrade"), "data": {}})

    assert isinstance(intent, Ignored)


# -- another service's event is ignored whatever it holds --------------------------------------------------------

# The bounds on an event meant for this function (docs/design.md, "How events are read and bounded"): 24 levels, 20,000
# values, numbers of at most 100 characters; a CloudEvent's specversion of at most 16 characters, its id, source and
# type of at most 256.
DEEP = json.loads('{"a":' * 23 + "1" + "}" * 23)
BREAKS_A_BOUND = {
    "deep-request": {"request": DEEP},
    "20001-values": {"response": {"items": list(range(20_001))}},
    "101-digit-number": {"code": int("9" * 101)},
    "101-digit-key-value": {"user": {"id": -int("9" * 101)}},
}
FOREIGN = [{"service_type": "ECS", "trace_name": "createServer"},
           {"service_type": "CCE", "trace_name": "deleteCluster"}, {"service_type": "", "trace_name": ""}]


@pytest.mark.parametrize("via", [*VIAS, "events"])
@pytest.mark.parametrize("breakage", list(BREAKS_A_BOUND))
@pytest.mark.parametrize("fields", FOREIGN, ids=["ecs", "cce-other", "empty"])
def test_another_services_trace_that_breaks_a_bound_is_ignored(via, breakage, fields):
    """Issue 9: a trace not about a CCE upgrade is ignored, whatever it holds; the bounds are for events meant for
    this function."""
    intent = intent_of(wrapped({**fields, "resource_id": "", **BREAKS_A_BOUND[breakage]}, via))

    assert isinstance(intent, Ignored) and "is not a CCE/clusterUpgrade trace" in intent.reason


@pytest.mark.parametrize("where", ["alone", "delivery"])
@pytest.mark.parametrize(
    "change",
    [{"id": "i" * 257}, {"source": "s" * 257}, {"type": "t" * 257}, {"specversion": "1" * 17}, {"id": None},
     {"specversion": 1}, {"data": {"items": list(range(20_001))}}, {"data": {"size": int("9" * 101)}},
     {"data": DEEP}, {"subject": DEEP}],
    ids=["long-id", "long-source", "long-type", "long-specversion", "no-id", "numeric-specversion", "20001-values",
         "101-digits", "deep-data", "deep-subject"],
)
def test_another_services_cloudevent_that_breaks_a_bound_is_ignored(where, change):
    obs = {**event("eventgrid_batch")["events"][1], **change}
    evt = obs if where == "alone" else {"events": [event("eventgrid_cluster_upgrade"), obs]}

    parsed = parse_event(evt)

    intent = parsed if where == "alone" else parsed.items[1]
    assert isinstance(intent, Ignored) and "carries no CTS trace" in intent.reason
    if where == "delivery":  # and the upgrade beside it is followed
        assert isinstance(parsed.items[0], CheckIntent) and parsed.items[0].cluster_id == CLUSTER


@pytest.mark.parametrize("via", VIAS)
def test_nothing_of_another_services_event_is_modelled_or_bounded(via, monkeypatch):
    """Whose an event is is decided from its service_type and trace_name alone: the trace is never modelled, and
    nothing in it is walked for a bound (an SMN record, meant for this function, is bounded on its own)."""
    from postcheck import bounds
    from postcheck.envelopes import CloudEventEnvelope
    from postcheck.payloads import CtsTrace

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("another service's event was modelled or bounded")

    monkeypatch.setattr(CtsTrace, "model_validate", forbidden)
    monkeypatch.setattr(CloudEventEnvelope, "model_validate", forbidden)
    if via != "smn":
        monkeypatch.setattr(bounds, "check", forbidden)

    intent = intent_of(wrapped({**FOREIGN[0], "response": json.dumps(DEEP), **BREAKS_A_BOUND["20001-values"]}, via))

    assert isinstance(intent, Ignored)


# -- a CCE upgrade trace in every documented form ---------------------------------------------------------------

@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("resource_id", [{}, "", None, [], 0, "prod-east", f"urn:cce:{CLUSTER}"])
def test_a_cce_upgrade_trace_whose_resource_id_is_no_cluster_id_is_rejected_naming_it(via, resource_id):
    message = rejection(wrapped({**UPGRADE, "resource_id": resource_id}, via))

    assert message.startswith(f"{FIELD[via]}resource_id: expected the upgraded cluster's ID")
    assert "never looked up by name" in message


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("resource_id", [{}, ""])
def test_a_refused_upgrade_request_is_ignored_before_its_resource_id_is_read(via, resource_id):
    intent = intent_of(wrapped({**UPGRADE, "resource_id": resource_id, "code": "403"}, via))

    assert isinstance(intent, Ignored) and "HTTP 403" in intent.reason


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("code", [200, "200", " 200 ", 204, 0, "0", "", None, 200.0, {}, [], True])
def test_code_as_a_number_or_text_or_unknown_is_followed(via, code):
    intent = intent_of(wrapped({**UPGRADE, "code": code}, via))

    assert isinstance(intent, CheckIntent)


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("code", [400, "400", 403, "500", 503.0])
def test_code_400_or_more_as_a_number_or_text_is_ignored(via, code):
    assert isinstance(intent_of(wrapped({**UPGRADE, "code": code}, via)), Ignored)


TASK_RESPONSE = {"metadata": {"uid": UPGRADE_TASK}}


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(
    ("request_", "response", "task"),
    [
        ({}, {}, None),
        ("", "", None),
        ("{}", "{}", None),
        ({"spec": {}}, TASK_RESPONSE, UPGRADE_TASK),
        (json.dumps({"spec": {}}), json.dumps(TASK_RESPONSE), UPGRADE_TASK),
        (None, None, None),
        ([1, 2], [TASK_RESPONSE], None),  # not an object: as if absent
        (5, 5, None),
        ("not json", "not json", None),
    ],
)
def test_request_and_response_as_an_object_json_text_empty_text_or_empty_object(via, request_, response, task):
    intent = intent_of(wrapped({**UPGRADE, "request": request_, "response": response}, via))

    assert isinstance(intent, CheckIntent)
    assert intent.upgrade_task_id == task


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize(
    "time",
    [1529974447000, 1529974447, "1529974447000", "1529974447", 1529974447.0, "2018/06/26 08:54:07 GMT+08:00",
     "2018-06-26T08:54:07+08:00", "2018-06-26T00:54:07Z", "2018-06-26T00:54:07.000Z", "2018-06-26T08:54:07+0800"],
)
def test_time_in_every_documented_form_is_read(via, time):
    intent = intent_of(wrapped({**UPGRADE, "time": time, "record_time": ""}, via))

    assert isinstance(intent, CheckIntent)
    assert intent.traced_at == SAMPLE_INSTANT


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("time", ["", None, {}, "yesterday", 10**40, -1.5e300, "2018/13/40 99:99:99 GMT+08:00"])
def test_a_time_that_is_empty_or_unreadable_is_no_reason_to_refuse(via, time):
    intent = intent_of(wrapped({**UPGRADE, "time": time, "record_time": time}, via))

    assert isinstance(intent, CheckIntent)
    assert intent.traced_at is None


def test_record_time_stands_in_for_an_empty_time():
    intent = intent_of(wrapped({**UPGRADE, "time": "", "record_time": "2018/06/26 08:54:07 GMT+08:00"}, "cts"))

    assert intent.traced_at == SAMPLE_INSTANT


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("status", [{"trace_status": "normal"}, {"trace_rating": "normal"},
                                    {"trace_status": "normal", "trace_rating": "normal"},
                                    {"trace_rating": "warning"}, {"trace_status": {}}, {"trace_rating": 5}, {}])
def test_the_status_under_either_name_or_neither(via, status):
    assert isinstance(intent_of(wrapped({**UPGRADE, **status}, via)), CheckIntent)


@pytest.mark.parametrize("via", VIAS)
@pytest.mark.parametrize("informative", [{"resource_name": {}}, {"resource_name": ""}, {"trace_id": {}},
                                         {"trace_id": ""}, {"resource_type": {}}, {"user": "x"}])
def test_informative_fields_of_another_type_are_as_if_absent(via, informative):
    intent = intent_of(wrapped({**UPGRADE, **informative}, via))

    assert isinstance(intent, CheckIntent)
    assert intent.cluster_name is None and intent.trace_id in (None, "")


# A JSON value of any kind, as a field of an upgrade trace holds it.
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.floats(allow_nan=False),
              st.text(max_size=30)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


@settings(max_examples=150, deadline=None)
@given(field=st.sampled_from(["code", "request", "time", "record_time", "trace_status", "trace_rating",
                              "resource_type", "user", "trace_type", "event_type", "source_ip"]),
       value=json_values, via=st.sampled_from(VIAS))
def test_an_upgrade_trace_is_never_refused_for_a_field_it_does_not_need(field, value, via):
    """Only resource_id (and the bounds of issue 7, and names too long to carry) can refuse a CCE upgrade trace."""
    intent = intent_of(wrapped({**UPGRADE, field: value}, via))

    assert isinstance(intent, (CheckIntent, Ignored))  # Ignored: a code of 400 or more


# -- EventGrid -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [None, "", "not json", "[1, 2]", "7", [1], 5, {"name": "test01", "state": "enable"}])
def test_a_cloudevent_that_carries_no_trace_is_ignored(data):
    ce = {**event("eventgrid_cluster_upgrade"), "source": "HC.OBS", "type": "object:put", "data": data}

    intent = parse_event(ce)

    assert isinstance(intent, Ignored)
    assert '"HC.OBS"' in intent.reason and "carries no CTS trace" in intent.reason


def test_a_cloudevent_without_data_is_ignored():
    ce = event("eventgrid_cluster_upgrade")
    del ce["data"]

    assert isinstance(parse_event(ce), Ignored)


@pytest.mark.parametrize(("extra", "field", "says"), [("[" * 30 + "]" * 30, "data", "deeper"),
                                                       ("1" * 5_000, "data.request", "number"),
                                                       ("[" + ",".join(["0"] * 20_001) + "]", "data", "values")])
def test_data_as_json_text_of_an_upgrade_trace_keeps_the_bounds_of_an_event(extra, field, says):
    text = json.dumps(UPGRADE)[:-1] + f', "request": {extra}}}'

    message = rejection({**event("eventgrid_cluster_upgrade"), "data": text})

    assert message.startswith(f"{field}: ") and says in message


@pytest.mark.parametrize("text", ['{"a": ' + "1" * 5_000 + "}", '{"service_type": "ECS", "trace_name": "x", "request": '
                                  + "[" * 30 + "]" * 30 + "}", '{"items": [' + ",".join(["0"] * 20_001) + "]}"],
                         ids=["long-number", "deep-trace", "many-values"])
def test_data_as_json_text_of_another_service_is_ignored_whatever_it_holds(text):
    assert isinstance(parse_event({**event("eventgrid_cluster_upgrade"), "data": text}), Ignored)


def test_data_as_json_text_too_deep_to_read_is_rejected():
    """Text nested too deep to parse at all: whose it is cannot be told, so it is refused (no API call)."""
    message = rejection({**event("eventgrid_cluster_upgrade"), "data": "[" * 30_000 + "]" * 30_000})

    assert message.startswith("data: ") and "deeper" in message


@pytest.mark.parametrize(("change", "field"), [({"id": None}, "id"), ({"specversion": 1}, "specversion"),
                                               ({"source": "s" * 300}, "source")])
def test_a_broken_cloudevent_is_rejected_naming_the_attribute(change, field):
    assert rejection({**event("eventgrid_cluster_upgrade"), **change}).startswith(f"{field}: ")


def test_eventgrids_delivery_of_several_events_is_a_batch_in_order():
    first, second = event("eventgrid_batch")["events"]

    parsed = parse_event({"events": [second, first, second]})

    assert isinstance(parsed, Batch) and parsed.trigger == "eventgrid"
    assert [type(item) for item in parsed.items] == [Ignored, CheckIntent, Ignored]
    assert parsed.items[1].cluster_id == CLUSTER and parsed.items[1].upgrade_task_id == UPGRADE_TASK


def test_eventgrids_delivery_of_one_event_is_that_event():
    intent = parse_event({"events": [event("eventgrid_cluster_upgrade")]})

    assert isinstance(intent, CheckIntent) and intent.trigger == "eventgrid"
    assert rejection({"events": [7]}).startswith("events[0]: expected a CloudEvent")


def test_each_event_of_a_delivery_is_refused_on_its_own_naming_where_it_is():
    good = event("eventgrid_cluster_upgrade")
    bad_id = copy.deepcopy(good)
    bad_id["data"]["resource_id"] = {}
    no_id = {k: v for k, v in good.items() if k != "id"}
    deep = {**good, "data": "[" * 5_000 + "]" * 5_000}

    parsed = parse_event({"events": [good, bad_id, "x", no_id, deep]})

    assert isinstance(parsed.items[0], CheckIntent)
    messages = [item.message for item in parsed.items[1:]]
    assert all(isinstance(item, Refused) for item in parsed.items[1:])
    assert messages[0].startswith("events[1].data.resource_id: ")
    assert messages[1].startswith("events[2]: expected a CloudEvent (an object), got a string")
    assert messages[2].startswith("events[3].id: required")
    assert messages[3].startswith("events[4].data: nested deeper")


@pytest.mark.parametrize("events", [[], "x", None, {}])
def test_a_delivery_that_is_not_a_list_of_events_is_rejected(events):
    assert rejection({"events": events}).startswith("events: ")


def test_a_delivery_inside_an_smn_message_is_rejected():
    message = json.dumps(event("eventgrid_batch"))

    assert rejection({"record": [{"smn": {"message": message}}]}).startswith("smn.message: events: ")


def ecs_trace_event(index: int, values: int) -> dict[str, Any]:
    """Another service's CloudTrace CloudEvent: an ECS call whose response lists ``values`` short items."""
    return {"specversion": "1.0", "id": f"ecs-{index}", "source": "HC.ECS", "type": "ECS:CloudTrace:ApiCall",
            "datacontenttype": "application/json",
            "data": {"service_type": "ECS", "trace_name": "batchDeleteServerTags", "resource_type": "ecs",
                     "response": {"items": ["a"] * values}}}


# EventGrid, "Events" (https://support.huaweicloud.com/usermanual-eg/eg-ug-015.html): at most 64 KB an event,
# 256 KB a request, 20 events a request.
EG_EVENT_BYTES, EG_REQUEST_BYTES, EG_EVENTS = 64 * 1024, 256 * 1024, 20


def test_an_upgrade_in_a_delivery_is_followed_whatever_the_others_hold():
    """A delivery EventGrid documents as valid whose events hold more than 20,000 values between them: the bounds
    are each event's, not the delivery's."""
    delivery = {"events": [event("eventgrid_cluster_upgrade")] + [ecs_trace_event(i, 1_100) for i in range(19)]}
    assert len(delivery["events"]) <= EG_EVENTS
    assert all(len(json.dumps(item)) <= EG_EVENT_BYTES for item in delivery["events"])
    assert len(json.dumps(delivery)) <= EG_REQUEST_BYTES

    parsed = parse_event(delivery)

    assert isinstance(parsed.items[0], CheckIntent) and parsed.items[0].cluster_id == CLUSTER
    assert all(isinstance(item, Ignored) for item in parsed.items[1:])


def test_an_event_of_a_delivery_that_breaks_a_bound_is_refused_alone_naming_where_it_is():
    good = event("eventgrid_cluster_upgrade")
    many, deep, long_number = copy.deepcopy(good), copy.deepcopy(good), copy.deepcopy(good)
    many["data"]["request"] = list(range(20_001))
    deep["data"]["request"] = DEEP
    long_number["data"]["code"] = int("4" * 101)

    parsed = parse_event({"events": [many, good, deep, long_number]})

    first, followed, third, fourth = parsed.items
    assert isinstance(followed, CheckIntent)
    assert first.message.startswith("events[0]: more than 20000 values")
    assert third.message.startswith("events[2]: nested deeper than 24 levels")
    assert fourth.message.startswith("events[3].data.code: a number longer than 100 characters")


@pytest.mark.parametrize(("key", "item"), [("events", event("eventgrid_batch")["events"][1]),
                                           ("record", event("smn_manual")["record"][0])])
def test_a_delivery_of_more_events_than_eventgrid_sends_at_once_is_rejected_naming_it(key, item):
    """docs/operations.md, "Deliveries of several events": at most 20 events (EventGrid's maximum) or SMN records in one
    delivery."""
    assert len(parse_event({key: [item] * EG_EVENTS}).items) == EG_EVENTS

    message = rejection({key: [item] * (EG_EVENTS + 1)})

    assert message.startswith(f"{key}: ") and "at most 20" in message and "21" in message


def test_a_delivery_larger_than_an_event_may_be_is_rejected_as_a_whole():
    big = {**event("eventgrid_batch")["events"][1], "data": {"blob": "x" * 40_000}}

    assert rejection({"events": [big] * EG_EVENTS}).startswith("event: larger than the 655360-byte limit")


def test_a_place_is_spelled_the_same_in_every_message():
    """docs/operations.md, "Deliveries of several events": where a refused event is, as ``events[2].data.resource_id``:
    a list's item as [i], a key after a dot."""
    smn = parse_event({"record": [{"smn": {"message": "{}"}}, 7, {"smn": {}}]})
    bad_id = copy.deepcopy(event("eventgrid_cluster_upgrade"))
    bad_id["data"]["resource_id"] = "prod-east"
    eventgrid = parse_event({"events": [bad_id, bad_id, bad_id]})

    assert smn.items[1].message.startswith("record[1]: expected an object")
    assert smn.items[2].message.startswith("record[2].smn.message: required")
    assert eventgrid.items[2].message.startswith("events[2].data.resource_id: ")
    assert rejection('{"cluster_id": "x", "n": [0, ' + "1" * 101 + "]}").startswith("n[1]: a number longer")


# -- SMN ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("attributes", [{"cluster": "prod-east"}, "None", "", None, "absent", [], 5])
def test_message_attributes_in_every_form(attributes):
    evt = event("smn_manual")
    if attributes == "absent":
        del evt["record"][0]["smn"]["message_attributes"]
    else:
        evt["record"][0]["smn"]["message_attributes"] = attributes

    intent = parse_event(evt)

    assert isinstance(intent, CheckIntent) and intent.trigger == "smn/manual"


def test_an_smn_event_without_its_top_level_fields():
    evt = {"record": event("smn_manual")["record"]}

    assert isinstance(parse_event(evt), CheckIntent)


def test_every_record_of_an_smn_event_in_order_each_refused_on_its_own():
    records = event("smn_records")["record"]
    timer = copy.deepcopy(records[0])
    timer["smn"]["message"] = json.dumps(event("timer"))
    no_smn = {"event_source": "smn"}
    wrong = copy.deepcopy(records[0])
    wrong["smn"]["message"] = json.dumps({"cluster_id": "prod-east"})

    parsed = parse_event({"record": [*records, timer, no_smn, wrong]})

    assert isinstance(parsed, Batch) and parsed.trigger == "smn"
    first, not_json, sweep, missing, bad = parsed.items
    assert isinstance(first, CheckIntent) and first.trigger == "smn/manual"
    assert isinstance(sweep, SweepIntent) and sweep.trigger == "smn/timer"
    assert not_json.message.startswith("record[1].smn.message: expected a JSON object")
    assert missing.message.startswith("record[3].smn: required")
    assert bad.message.startswith("record[4].smn.message: cluster_id: ")


def test_a_single_record_is_refused_as_the_event():
    assert rejection({"record": [{"smn": {"message": "hello"}}]}).startswith("record[0].smn.message: ")


# -- timer ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", ["v1.0", "v2.0", None, "absent"])
@pytest.mark.parametrize("user_event", ["", "Hello world", '{"message": "timer triggered event", "topic":"test"}',
                                        None, "absent"])
def test_timer_versions_and_user_events(version, user_event):
    evt = {"time": "2023-06-01T08:30:00+08:00", "trigger_type": "TIMER", "trigger_name": "Timer_001",
           "version": version, "user_event": user_event}
    evt = {k: v for k, v in evt.items() if v != "absent"}

    intent = parse_event(evt)

    assert isinstance(intent, SweepIntent) and intent.trigger == "timer"
    assert intent.anchor == datetime(2023, 6, 1, 0, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("time", ["2023-06-01T08:30:00+08:00", "2023-06-01T00:30:00Z", "2023-06-01T00:30:00z",
                                  "2023-06-01T00:30:00+00:00", "2023-05-31T19:30:00-05:00", "2023-06-01T06:15:00+0545",
                                  "2023-06-01T08:30:00+08", "2023-06-01T00:30:00.000Z", "2023-06-01T00:30:00.5Z",
                                  "2023-06-01T00:30:00", "2023-06-01 08:30:00+08:00", " 2023-06-01T00:30:00Z "])
def test_timer_time_with_any_offset(time):
    anchor = parse_event({"trigger_type": "TIMER", "time": time}).anchor

    fraction = 500_000 if ".5Z" in time else 0
    assert anchor == datetime(2023, 6, 1, 0, 30, 0, fraction, tzinfo=timezone.utc)


@pytest.mark.parametrize("time", ["yesterday", "2023-06-01T25:00:00Z", "2023-06-01T08:30:00+24:00", "", "1685579400"])
def test_a_timer_time_that_is_not_iso_8601_is_rejected(time):
    assert rejection({"trigger_type": "TIMER", "time": time}).startswith("time: ")


def test_our_two_timer_samples_anchor_the_same_sweep():
    assert parse_event(event("timer")).anchor == parse_event(event("timer_v1")).anchor


# -- a trace on its own ----------------------------------------------------------------------------------

def test_a_trace_on_its_own_is_read_as_the_cts_trigger_would_read_it():
    intent = parse_event(event("cts_trace"))

    assert isinstance(intent, CheckIntent) and intent.trigger == "cts"
    assert intent.upgrade_task_id == UPGRADE_TASK and intent.cluster_name == "prod-east"
    assert rejection({**event("cts_trace"), "resource_id": {}}).startswith("resource_id: ")
    assert isinstance(parse_event({**event("cts_trace"), "service_type": "ECS"}), Ignored)


def test_a_manual_event_is_not_taken_for_a_trace():
    message = rejection({"cluster_id": CLUSTER, "service_type": "CCE", "trace_name": "clusterUpgrade"})

    assert message.startswith(("service_type: unexpected field", "trace_name: unexpected field"))
