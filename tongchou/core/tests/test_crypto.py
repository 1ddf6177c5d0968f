import pytest
from cryptography.exceptions import InvalidTag

from tongchou.core import crypto


def test_encrypt_round_trip_and_is_not_plain():
    token = crypto.encrypt("640202198503141234")
    assert token.startswith("v1:")
    assert "640202" not in token
    assert crypto.decrypt(token) == "640202198503141234"


def test_same_plain_encrypts_differently_each_time():
    assert crypto.encrypt("13812345678") != crypto.encrypt("13812345678")


def test_lookup_hash_is_stable_and_case_insensitive():
    assert crypto.lookup_hash("64020219850314123x") == crypto.lookup_hash("64020219850314123X")
    assert crypto.lookup_hash("1") != crypto.lookup_hash("2")


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("secret")
    broken = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises((InvalidTag, ValueError)):
        crypto.decrypt(broken)


def test_masks():
    assert crypto.mask_id_number("640202198503141234") == "640202********1234"
    assert crypto.mask_phone("13812345678") == "138****5678"
