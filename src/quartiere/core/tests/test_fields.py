import base64

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from quartiere.core import fields
from quartiere.core.fields import EncryptedTextField

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture(autouse=True)
def _fresh_cipher():  # type: ignore[no-untyped-def]
    fields._cipher.cache_clear()
    yield
    fields._cipher.cache_clear()


def test_encrypt_returns_token_without_plain_text_when_value_given() -> None:
    token = fields.encrypt("diabete di tipo 2")

    assert "diabete" not in token
    assert fields.decrypt(token) == "diabete di tipo 2"


def test_encrypt_returns_different_tokens_when_same_value_encrypted_twice() -> None:
    assert fields.encrypt("same") != fields.encrypt("same")


def test_field_prep_value_is_ciphertext_and_db_value_is_plain_text_when_round_tripped() -> None:
    field = EncryptedTextField()

    stored = field.get_prep_value("invalidità civile 100%")

    assert "invalidità" not in stored
    assert field.from_db_value(stored, None, None) == "invalidità civile 100%"


@pytest.mark.parametrize("empty", [None, ""])
def test_field_leaves_value_alone_when_empty(empty) -> None:  # type: ignore[no-untyped-def]
    field = EncryptedTextField()

    assert field.get_prep_value(empty) == empty
    assert field.from_db_value(empty, None, None) == empty


def test_decrypt_reads_old_value_when_new_key_is_put_first(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    fields._cipher.cache_clear()
    token = fields.encrypt("old secret")

    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    fields._cipher.cache_clear()

    assert fields.decrypt(token) == "old secret"


def test_encrypt_uses_first_key_when_several_are_configured(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    token = fields.encrypt("new secret")

    assert Fernet(NEW_KEY.encode()).decrypt(token.encode()) == b"new secret"
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    fields._cipher.cache_clear()
    with pytest.raises(ImproperlyConfigured):
        fields.decrypt(token)


def test_decrypt_raises_improperly_configured_when_key_is_unknown(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY]
    token = fields.encrypt("secret")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    fields._cipher.cache_clear()

    with pytest.raises(ImproperlyConfigured):
        fields.decrypt(token)


def test_cipher_derives_a_key_when_configured_value_is_a_passphrase(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ["not a fernet key"]

    token = fields.encrypt("value")

    assert fields.decrypt(token) == "value"


def test_cipher_refuses_passphrase_when_in_production(settings) -> None:
    settings.PRODUCTION = True
    settings.FIELD_ENCRYPTION_KEYS = ["not a fernet key"]

    with pytest.raises(ImproperlyConfigured):
        fields.encrypt("value")


def test_cipher_accepts_urlsafe_base64_key_when_in_production(settings) -> None:
    settings.PRODUCTION = True
    settings.FIELD_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(b"k" * 32).decode()]

    assert fields.decrypt(fields.encrypt("value")) == "value"


def test_cipher_raises_when_no_key_is_configured(settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = []

    with pytest.raises(ImproperlyConfigured):
        fields.encrypt("value")
