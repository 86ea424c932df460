"""The bounds on JSON from outside, at their edges (docs/design.md: events deeper than 24 levels or with more than
20,000 values are refused; postcheck.bounds: a number longer than 100 characters is refused, and with a size bound each
character of text counts 1 and each number, boolean or null 8). And a CCE ID's 64-character bound, which the
function and the event models apply alike. Pure."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from postcheck import bounds
from postcheck.fields import CceId, cce_id

DOCUMENTED_VALUES = 20_000
NUMBER_CHARS = 100  # postcheck.bounds' documented bound: "a number longer than this is refused"
ID = "8978deaa-1743-11ee-8e46-0255ac10004c"


def test_twenty_thousand_values_are_read_and_one_more_is_refused():
    bounds.check([0] * (DOCUMENTED_VALUES - 1))  # the list and its items: 20,000 values
    with pytest.raises(bounds.OutOfBounds, match="values"):
        bounds.check([0] * DOCUMENTED_VALUES)


@pytest.mark.parametrize("number", [10**NUMBER_CHARS - 1, -(10**NUMBER_CHARS - 1)])
def test_a_number_of_100_digits_is_read(number):
    bounds.check({"n": number})
    bounds.check(bounds.loads(str(number)))


@pytest.mark.parametrize("number", [10**NUMBER_CHARS, -(10**NUMBER_CHARS)])
def test_a_number_of_101_digits_is_refused_naming_where_it_is(number):
    with pytest.raises(bounds.OutOfBounds) as caught:
        bounds.check({"a": [number]})
    assert caught.value.path == ("a", 0)
    with pytest.raises(bounds.OutOfBounds):
        bounds.check(bounds.loads(str(number)))


@pytest.mark.parametrize("text", ["1." + "0" * (NUMBER_CHARS - 2), "-" + "9" * NUMBER_CHARS, "1e" + "0" * 98])
def test_json_numbers_of_up_to_100_characters_are_read(text):
    bounds.check(bounds.loads(f"[{text}]"))


@pytest.mark.parametrize("text", ["1." + "0" * (NUMBER_CHARS - 1), "9" * (NUMBER_CHARS + 1)])
def test_json_numbers_longer_are_refused(text):
    with pytest.raises(bounds.OutOfBounds):
        bounds.check(bounds.loads(f"[{text}]"))


# -- the size bound: text counts its characters, keys included; numbers, booleans and nulls 8 each -----------------

@pytest.mark.parametrize("walk", [bounds.check, bounds.check_size])
def test_text_of_exactly_the_size_bound_is_read_and_one_character_more_refused(walk):
    walk(["x" * 100], 100)
    walk({"k" * 50: "v" * 50}, 100)
    with pytest.raises(bounds.OutOfBounds, match="100-byte"):
        walk(["x" * 101], 100)
    with pytest.raises(bounds.OutOfBounds, match="100-byte"):
        walk({"k" * 51: "v" * 50}, 100)


@pytest.mark.parametrize("walk", [bounds.check, bounds.check_size])
def test_long_keys_count_against_the_size_bound(walk):
    with pytest.raises(bounds.OutOfBounds, match="100-byte"):
        walk({"k" * 200: 0}, 100)


@pytest.mark.parametrize("walk", [bounds.check, bounds.check_size])
def test_numbers_booleans_and_nulls_count_8_each(walk):
    walk([0, 1.5, True, None] * 3, 96)  # 12 values: 96
    with pytest.raises(bounds.OutOfBounds, match="96-byte"):
        walk([0, 1.5, True, None] * 3 + [0], 96)


def test_a_size_bound_limits_how_many_values_there_may_be_however_small():
    bounds.check_size([[]] * 99, 100)  # the list and its 99 empty lists: 100 values
    with pytest.raises(bounds.OutOfBounds, match="100-byte"):
        bounds.check_size([[]] * 100, 100)


# -- a CCE ID: at most 64 characters as written, blanks included, in the models as in the function -------------------

@pytest.mark.parametrize(("left", "right", "accepted"), [(14, 14, True), (0, 28, True), (14, 15, False),
                                                         (29, 0, False)])
def test_a_padded_cce_id_is_read_up_to_64_characters_alike_everywhere(left, right, accepted):
    written = " " * left + ID + " " * right
    model = TypeAdapter(CceId)
    if accepted:
        assert cce_id(written) == model.validate_python(written) == ID
    else:
        with pytest.raises(ValueError):
            cce_id(written)
        with pytest.raises(ValidationError):
            model.validate_python(written)
