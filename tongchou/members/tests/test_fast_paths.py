"""The bulk helpers the import uses give exactly what the one-at-a-time functions give."""

import pytest
from django.core.exceptions import ValidationError

from tongchou.core import crypto
from tongchou.core.validators import id_check_char, id_number_facts
from tongchou.members.tests.conftest import id_number


def test_bulk_encryptor_round_trips_with_unique_nonces():
    encrypt = crypto.bulk_encryptor()
    tokens = [encrypt("640202198503140013") for _ in range(5000)]  # crosses a nonce block
    assert len(set(tokens)) == len(tokens)
    assert {crypto.decrypt(t) for t in tokens} == {"640202198503140013"}
    assert encrypt("") == ""


def test_bulk_hasher_equals_lookup_hash():
    hasher = crypto.bulk_lookup_hasher()
    for value in ["64020219850314001x", "640202198503140013", "", "中文"]:
        assert hasher(value) == crypto.lookup_hash(value)


def test_fast_checksum_equals_the_general_one():
    for seq in range(300):
        number = id_number(seq=seq)
        assert id_number_facts(number)[0].year == 1985
        assert number[17] == id_check_char(number[:17])


def test_full_width_digits_take_the_general_path():
    number = id_number(seq=3)
    # (the check character stays ASCII: as before, only the 17 digits may be other digits)
    wide = number[:17].translate(str.maketrans("0123456789", "０１２３４５６７８９")) + number[17]
    assert id_number_facts(wide)[1] == id_number_facts(number)[1]


def test_invalid_birth_in_id_number():
    first17 = "64020219850230001"  # 30 February
    with pytest.raises(ValidationError):
        id_number_facts(first17 + id_check_char(first17))
