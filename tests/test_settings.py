from lib import settings


def test_query_round_trip_keeps_non_default_values():
    values = settings.defaults() | {"backend": "openai", "temperature": 0.7, "presenter": True, "max_new_tokens": 64}
    query = settings.to_query(values)
    assert query == {"backend": "openai", "temperature": "0.7", "presenter": "1", "max_new_tokens": "64"}
    assert settings.from_query(query) == values


def test_malformed_or_out_of_range_values_fall_back_to_defaults():
    parsed = settings.from_query({"backend": "skynet", "temperature": "hot", "max_new_tokens": "99999",
                                  "top_p": "0.5", "unknown": "x"})
    assert parsed["backend"] == "bundled"
    assert parsed["temperature"] == 0.0
    assert parsed["max_new_tokens"] == 128
    assert parsed["top_p"] == 0.5
    assert "unknown" not in parsed
