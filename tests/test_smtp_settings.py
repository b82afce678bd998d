"""SMTP URL, sender and [email] settings: parsed once, errors name the key."""

from __future__ import annotations

import pytest

from policywatch.audience.smtp_settings import parse_smtp_url, sender_settings, smtp_settings
from policywatch.errors import EmailSettingsError, InsecureSmtpRefused


@pytest.mark.parametrize(
    ("url", "security", "port"),
    [
        ("smtp://127.0.0.1", "plain", 25),
        ("smtp+tls://mail.example.com", "starttls", 587),
        ("smtp+ssl://mail.example.com", "tls", 465),
        ("smtp+tls://mail.example.com:2525", "starttls", 2525),
    ],
)
def test_the_scheme_chooses_the_security_and_default_port(url, security, port):
    settings = parse_smtp_url(url)
    assert (settings.security, settings.port) == (security, port)


def test_plain_smtp_to_a_remote_host_is_refused():
    with pytest.raises(InsecureSmtpRefused, match="mail.example.com"):
        parse_smtp_url("smtp://mail.example.com")


def test_plain_smtp_to_a_remote_host_is_allowed_when_the_url_says_insecure():
    assert parse_smtp_url("smtp://mail.example.com?insecure=1").host == "mail.example.com"


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "[::1]", "127.0.0.2"])
def test_plain_smtp_to_loopback_is_allowed(host):
    assert parse_smtp_url(f"smtp://{host}:2525").security == "plain"


def test_user_and_password_come_from_the_url_percent_decoded():
    settings = parse_smtp_url("smtp+tls://alerts%40example.com:p%40ss@mail.example.com")
    assert (settings.username, settings.password) == ("alerts@example.com", "p@ss")


def test_the_password_comes_from_the_environment_when_the_url_has_none():
    env = {"POLICYWATCH_SMTP_URL": "smtp+tls://alerts@mail.example.com", "POLICYWATCH_SMTP_PASSWORD": "s3cret"}
    assert smtp_settings({}, environ=env).password == "s3cret"


def test_a_user_without_any_password_names_the_password_variable():
    with pytest.raises(EmailSettingsError, match="POLICYWATCH_SMTP_PASSWORD"):
        smtp_settings({}, environ={"POLICYWATCH_SMTP_URL": "smtp+tls://alerts@mail.example.com"})


def test_a_missing_url_names_the_variable():
    with pytest.raises(EmailSettingsError, match="POLICYWATCH_SMTP_URL"):
        smtp_settings({}, environ={})


def test_tunables_come_from_email_config_and_the_url_query_wins():
    settings = parse_smtp_url("smtp+tls://mail.example.com?pool_size=8", {"pool_size": 2, "rate": 50})
    assert (settings.pool_size, settings.rate) == (8, 50.0)


@pytest.mark.parametrize(
    ("url", "email", "named"),
    [
        ("smtp+tls://h.example?pool=3", {}, "'pool'"),
        ("smtp+tls://h.example?pool_size=0", {}, "pool_size"),
        ("smtp+tls://h.example?timeout=soon", {}, "timeout"),
        ("smtp+tls://h.example", {"retries": 1.5}, "email.retries"),
        ("smtp+tls://h.example", {"rate": True}, "email.rate"),
        ("imap://h.example", {}, "scheme"),
        ("smtp+tls://h.example?insecure=maybe", {}, "insecure"),
        ("smtp+tls://h.example?cafile=/no/such/ca.pem", {}, "cafile"),
    ],
)
def test_a_bad_value_is_reported_with_its_key(url, email, named):
    with pytest.raises(EmailSettingsError, match=named):
        parse_smtp_url(url, email)


def test_the_sender_comes_from_config():
    sender = sender_settings({"from": "Privacy Team <privacy@example.com>"}, environ={})
    assert (sender.address, sender.header, sender.domain) == (
        "privacy@example.com",
        "Privacy Team <privacy@example.com>",
        "example.com",
    )
    assert sender.list_id == "<policies.example.com>"


def test_the_sender_from_the_environment_wins_over_config():
    sender = sender_settings({"from": "a@example.com"}, environ={"POLICYWATCH_FROM": "b@example.net"})
    assert sender.address == "b@example.net"


def test_a_missing_sender_names_both_places_to_set_it():
    with pytest.raises(EmailSettingsError, match="email.from.*POLICYWATCH_FROM"):
        sender_settings({}, source="policywatch.toml", environ={})


@pytest.mark.parametrize(
    "bad",
    ["not an address", "a@b.example\r\nBcc: x@y.example", "ü@example.com", "=?utf-8?q?A=0D=0AB?= <a@b.example>"],
)
def test_an_invalid_sender_is_refused(bad):
    with pytest.raises(EmailSettingsError, match="email.from"):
        sender_settings({"from": bad}, environ={})


@pytest.mark.parametrize(
    "url", ["https://example.com/unsub", "https://exämple.com/u?t={token}", "https://example.com/u?t={token}>x"]
)
def test_an_unsubscribe_url_must_be_ascii_and_hold_the_token_placeholder(url):
    with pytest.raises(EmailSettingsError, match="email.unsubscribe_url"):
        sender_settings({"from": "a@example.com", "unsubscribe_url": url}, environ={})


def test_open_email_channel_reads_the_project_config_and_environment(policy_repo, monkeypatch):
    from policywatch.audience.email import open_email_channel
    from policywatch.project import open_project

    policy_repo.write("policywatch.toml", '[email]\nfrom = "Privacy <privacy@example.com>"\npool_size = 2\n')
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", "smtp+ssl://mailer@mail.example.com?rate=20")
    monkeypatch.setenv("POLICYWATCH_SMTP_PASSWORD", "pw")
    monkeypatch.delenv("POLICYWATCH_FROM", raising=False)
    channel = open_email_channel(open_project(policy_repo.root))
    assert channel.name == "email"
    assert channel.smtp is not None
    assert (channel.smtp.security, channel.smtp.pool_size, channel.smtp.rate) == ("tls", 2, 20.0)
    assert (channel.smtp.username, channel.smtp.password) == ("mailer", "pw")
    assert channel.sender.header == "Privacy <privacy@example.com>"


def test_a_dry_run_channel_needs_no_smtp_url(policy_repo, monkeypatch, tmp_path):
    from policywatch.audience.email import open_email_channel
    from policywatch.project import open_project

    monkeypatch.delenv("POLICYWATCH_SMTP_URL", raising=False)
    monkeypatch.setenv("POLICYWATCH_FROM", "privacy@example.com")
    channel = open_email_channel(open_project(policy_repo.root), dry_run_dir=tmp_path / "eml")
    assert channel.smtp is None


def test_an_unknown_email_key_in_config_is_named(policy_repo, monkeypatch):
    from policywatch.audience.email import open_email_channel
    from policywatch.project import open_project

    policy_repo.write("policywatch.toml", '[email]\nfrom = "privacy@example.com"\npoolsize = 2\n')
    monkeypatch.setenv("POLICYWATCH_SMTP_URL", "smtp://127.0.0.1:2525")
    with pytest.raises(EmailSettingsError, match=r"policywatch.toml: email.poolsize: unknown key"):
        open_email_channel(open_project(policy_repo.root))
