"""The constrained field types (docs/design.md, "The modules": CCE IDs are the only values that reach a URL). Pure.

- A CCE ID (cluster, upgrade task, post-check task) is a UUID: 32 hexadecimal digits grouped 8-4-4-4-12, as
  CCE's API reference writes them (e.g. ``8978deaa-1743-11ee-8e46-0255ac10004c``); one written in upper case
  or with surrounding blanks is the same ID, and is sent in CCE's lower-case form.
- A cluster version is CCE's ``v<major>.<minor>`` with an optional patch and ``-r<revision>`` (``v1.28``,
  ``v1.28.3-r0``: ../shared/reference/platform-facts.md).
- A name or free text from an event or an API is bounded and can always be encoded as UTF-8 (JSON's
  ``\\ud800`` escape yields a lone surrogate, which cannot: it becomes U+FFFD).
"""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from postcheck.fields import CceId, ClusterVersion, Name, cce_id, clean_text

ID = "8978deaa-1743-11ee-8e46-0255ac10004c"
IDS = TypeAdapter(CceId)
VERSIONS = TypeAdapter(ClusterVersion)
NAMES = TypeAdapter(Name)


@pytest.mark.parametrize("written", [ID, ID.upper(), f"  {ID}\n", f"\t{ID.upper()} "])
def test_a_cce_id_is_read_in_cces_lower_case_form(written):
    assert cce_id(written) == ID
    assert IDS.validate_python(written) == ID


@pytest.mark.parametrize("almost", [
    ID[:-1],  # 31 digits
    ID + "0",  # 33
    ID.replace("-", ""),  # no groups
    ID.replace("-", "_"),
    "8978deaa1-743-11ee-8e46-0255ac10004c",  # 9-3-4-4-12
    ID.replace("a", "g"),  # not hexadecimal
    "{" + ID + "}",
    ID + "/../clusters",  # would change the URL
    f"{ID} {ID}",
    "",
    " ",
])
def test_anything_but_a_uuid_is_not_a_cce_id(almost):
    with pytest.raises(ValueError, match="CCE ID"):
        cce_id(almost)
    with pytest.raises(ValidationError):
        IDS.validate_python(almost)


@pytest.mark.parametrize("value", [None, 8978, b"8978deaa-1743-11ee-8e46-0255ac10004c", [ID], {"id": ID}])
def test_only_text_can_be_a_cce_id(value):
    with pytest.raises(ValueError, match="CCE ID"):
        cce_id(value)


def test_the_rejection_shows_what_a_cce_id_looks_like():
    with pytest.raises(ValueError) as caught:
        cce_id("cluster-1")
    message = str(caught.value)
    assert "8-4-4-4-12" in message
    assert cce_id(message[message.index("e.g. ") + 5:].rstrip(")"))  # its example is a valid ID


def test_padding_cannot_smuggle_an_oversized_value_past_the_id_check():
    # an ID surrounded by blanks is still an ID, but not when the whole value is longer than any ID could be
    # written (a bound before the work: an event may carry 64 KB of blanks)
    assert cce_id(" " * 10 + ID + " " * 10) == ID
    with pytest.raises(ValueError, match="CCE ID"):
        cce_id(" " * 4096 + ID)
    with pytest.raises(ValidationError):
        IDS.validate_python(" " * 4096 + ID)


@pytest.mark.parametrize("version", ["v1.28", "v1.28.3", "v1.28.3-r0", "v1.19.16-r80", "v1.15.11-r1", "v1.9"])
def test_cce_version_spellings_are_versions(version):
    assert VERSIONS.validate_python(version) == version
    assert VERSIONS.validate_python(f" {version} ") == version


@pytest.mark.parametrize("version", ["1.28", "v1", "V1.28", "v1.28.3-R0", "v1.28-r0-r1", "v1.28.3.4", "latest",
                                     "v1.28\nSubject: x", "v1.28 v1.29", "", "v1.28.3-rc1", "v1.28/../x", "v1.x"])
def test_other_text_is_not_a_version(version):
    with pytest.raises(ValidationError, match="CCE cluster version"):
        VERSIONS.validate_python(version)


def test_plain_text_passes_unchanged():
    for text in ("prod-east", "名字", "emoji \U0001f680", "a" * 128, ""):
        assert clean_text(text) == text
        assert NAMES.validate_python(text) == text


def test_text_is_cut_to_its_limit():
    assert clean_text("a" * 300) == "a" * 128
    assert clean_text("abcdef", limit=3) == "abc"
    assert clean_text("名" * 200, limit=5) == "名" * 5
    with pytest.raises(ValidationError):  # a name from an event longer than that is refused, not cut
        NAMES.validate_python("a" * 129)


@pytest.mark.parametrize("text, kept", [
    ("\ud800", ""),
    ("a\udfffb", "ab"),
    ("\udbff\udc00", ""),  # a pair of surrogates escaped apart is still not valid text
    ("x\ud83d\ude80y", "xy"),
])
def test_lone_surrogates_become_replacement_characters(text, kept):
    cleaned = clean_text(text)
    cleaned.encode("utf-8")  # encodable
    assert not any("\ud800" <= ch <= "\udfff" for ch in cleaned)
    assert "\ufffd" in cleaned  # the reader sees that something was there
    assert cleaned.replace("\ufffd", "") == kept  # and the rest of the text is kept, in order


def test_surrogates_beyond_the_limit_do_not_matter():
    assert clean_text("ab\ud800", limit=2) == "ab"


def test_characters_next_to_the_surrogate_range_are_kept():
    for ch in ("\ud7ff", "\ue000", "\uffff", "\U00010000"):
        assert clean_text(f"a{ch}b") == f"a{ch}b"
