"""The password hash: strong by default, cheap only where the test suite sets it."""

from __future__ import annotations

from hms_tracker.accounts import service
from hms_tracker.config import Settings


def test_production_hashes_passwords_with_the_strong_default(monkeypatch):
    for name in ("HMS_PASSWORD_TIME_COST", "HMS_PASSWORD_MEMORY_KIB", "HMS_PASSWORD_PARALLELISM"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert (settings.password_time_cost, settings.password_memory_kib) == (3, 65536)
    assert settings.password_parallelism == 4
    monkeypatch.setattr(service, "get_settings", lambda: settings)
    stored = service.hash_password("riktig-passord-123")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert service.password_hasher().verify("riktig-passord-123", stored)


def test_a_hash_made_at_a_lower_cost_is_upgraded_at_the_next_login(monkeypatch):
    cheap = service._hasher(1, 8, 1).hash("riktig-passord-123")
    monkeypatch.setattr(
        service, "get_settings", lambda: Settings(password_time_cost=2, password_memory_kib=16)
    )
    valid, upgraded = service.password_hasher().verify_and_update("riktig-passord-123", cheap)
    assert valid and upgraded is not None and "m=16,t=2" in upgraded
