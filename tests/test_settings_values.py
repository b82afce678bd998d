"""The one settings checker: each kind of wrong value is refused with the file and the key named,
and every section of the config refuses a value of the wrong type through it."""

import pytest

from policywatch import settings_values as values
from policywatch.config import parse_config
from policywatch.errors import (
    ConfigError,
    EmailSettingsError,
    RulesError,
    SiteConfigError,
    WebhookSettingsError,
)
from policywatch.settings_values import Table

LABEL = "policywatch.toml [x]: key"


class Refused(Exception):
    """The error class a section passes in."""


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (lambda: values.text(5, LABEL, Refused), "must be a string, got 5"),
        (lambda: values.text("a\nb", LABEL, Refused, one_line=True), "must be a one-line string, got 'a\\nb'"),
        (lambda: values.text("  ", LABEL, Refused, required=True), "must be a non-empty string, got '  '"),
        (lambda: values.flag("yes", LABEL, Refused), "must be true or false, got 'yes'"),
        (lambda: values.whole_number(True, LABEL, Refused), "must be a whole number, got True"),
        (lambda: values.whole_number(2.0, LABEL, Refused), "must be a whole number, got 2.0"),
        (lambda: values.whole_number("3", LABEL, Refused), "must be a whole number, got '3'"),
        (lambda: values.whole_number(-1, LABEL, Refused, low=0), "must be 0 or more, got -1"),
        (lambda: values.whole_number(65, LABEL, Refused, low=1, high=64), "must be between 1 and 64, got 65"),
        (lambda: values.number(False, LABEL, Refused), "must be a number, got False"),
        (lambda: values.number(float("nan"), LABEL, Refused), "must be a number, got nan"),
        (lambda: values.number(0.001, LABEL, Refused, low=0.01), "must be 0.01 or more, got 0.001"),
        (lambda: values.strings("a", LABEL, Refused), "must be a list of non-empty strings, got 'a'"),
        (lambda: values.strings(["a", ""], LABEL, Refused), "must be a list of non-empty strings, got ['a', '']"),
        (lambda: values.number_from_text("soon", LABEL, Refused, whole=False), "must be a number, got 'soon'"),
        (lambda: values.number_from_text("1.5", LABEL, Refused, whole=True), "must be a whole number, got '1.5'"),
        (lambda: values.number_from_text("0", LABEL, Refused, whole=True, low=1), "must be 1 or more, got '0'"),
        (lambda: values.flag_from_text("maybe", LABEL, Refused), "must be 1 or 0, got 'maybe'"),
    ],
)
def test_each_kind_of_wrong_value_is_refused_naming_the_key(read, message):
    with pytest.raises(Refused) as caught:
        read()
    assert str(caught.value) == f"{LABEL}: {message}"


def test_a_table_that_is_not_one_is_refused_naming_it():
    with pytest.raises(Refused, match=r"^policywatch\.toml \[x\]: must be a table$"):
        Table(["a"], "policywatch.toml [x]", Refused)


def test_an_unknown_key_is_named_with_the_known_ones():
    with pytest.raises(Refused) as caught:
        Table({"titel": "x"}, "policywatch.toml [x]", Refused, {"title", "lang"})
    assert str(caught.value) == "policywatch.toml [x]: unknown key 'titel' (known keys: lang, title)"


def test_an_unknown_key_of_a_dotted_table_is_named_in_the_dotted_style():
    with pytest.raises(Refused) as caught:
        Table({"poolsize": 2}, "policywatch.toml: email", Refused, {"pool_size"}, sep=".")
    assert str(caught.value) == "policywatch.toml: email.poolsize: unknown key (known keys: pool_size)"


def test_a_missing_required_text_is_named():
    with pytest.raises(Refused, match=r"^policywatch\.toml \[x\]: url: required, a non-empty string$"):
        Table({}, "policywatch.toml [x]", Refused).text("url", required=True)


def test_absent_keys_take_their_defaults_and_present_ones_are_read():
    table = Table({"rate": 2, "lang": "de"}, "policywatch.toml [x]", Refused, {"rate", "lang", "size"})
    assert (table.number("rate", 0.0), table.text("lang", "en"), table.whole_number("size", 4)) == (2.0, "de", 4)


# -- every section refuses a value of the wrong type, naming the file and the key ---------------


def _config(toml_table):
    return parse_config(toml_table, "policywatch.toml")


def test_top_level_settings_refuse_a_wrong_type():
    with pytest.raises(ConfigError, match=r"^policywatch\.toml: review_months: must be a whole number, got '12'$"):
        _config({"review_months": "12"})


def test_the_email_section_refuses_a_wrong_type():
    from policywatch.audience.smtp_settings import email_section, parse_smtp_url

    section = email_section({"pool_size": "4"}, "policywatch.toml")
    with pytest.raises(EmailSettingsError, match=r"^policywatch\.toml: email\.pool_size: must be a whole number"):
        parse_smtp_url("smtp+tls://mail.example.com", section, source="policywatch.toml")


def test_the_webhooks_section_refuses_a_wrong_type():
    from policywatch.audience.webhook import parse_webhooks

    entry = {"name": "ops", "url": "https://h.example/x", "format": "slack", "insecure": "yes"}
    with pytest.raises(WebhookSettingsError, match=r"^policywatch\.toml: webhooks 'ops': insecure: must be true or"):
        parse_webhooks([entry], source="policywatch.toml", environ={})


def test_the_site_section_refuses_a_wrong_type():
    from policywatch.site_config import read_site_settings

    with pytest.raises(SiteConfigError, match=r"^policywatch\.toml \[site\]: compare_all_up_to: must be a whole"):
        read_site_settings(_config({"site": {"compare_all_up_to": "all"}}))


def test_the_site_base_url_of_a_wrong_type_is_refused_not_taken_for_unset():
    from policywatch.site_config import read_site_settings

    with pytest.raises(SiteConfigError, match=r"^policywatch\.toml \[site\]: base_url: must be a string, got 5$"):
        read_site_settings(_config({"site": {"base_url": 5}}))


def test_the_notify_section_refuses_a_wrong_type(policy_repo):
    from policywatch.audience.notify_settings import notify_settings
    from policywatch.project import open_project

    policy_repo.write("policywatch.toml", '[notify]\nallow_no_links = "yes"\n')
    with pytest.raises(ConfigError, match=r"^policywatch\.toml \[notify\]: allow_no_links: must be true or false"):
        notify_settings(open_project(policy_repo.root))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"always_material": 5}, "materiality.always_material: must be a list of non-empty strings, got 5"),
        ({"categories": {"x": {"terms": ["a"], "topic": "yes"}}}, "materiality.categories.x.topic: must be true or"),
        ({"terms": []}, "materiality.terms: must be a table"),
    ],
)
def test_the_rules_section_refuses_a_wrong_type(table, message):
    from policywatch.engine.rulebook import load_rules

    with pytest.raises(RulesError) as caught:
        load_rules(_config({"materiality": table}))
    assert str(caught.value).startswith(f"policywatch.toml: {message}")


def test_a_rules_section_that_is_not_a_table_is_refused():
    from policywatch.engine.rulebook import load_rules

    with pytest.raises(RulesError, match=r"^policywatch\.toml: materiality: must be a table$"):
        load_rules(_config({"materiality": 0}))


def test_check_refuses_a_mistyped_rules_value_even_when_nothing_changed(policy_repo, in_repo):
    from tests._publish_support import run

    in_repo(policy_repo)
    policy_repo.commit("Rules", {"policywatch.toml": "[materiality]\nalways_material = 5\n"})
    result = run("check")
    assert result.exit_code == 2
    assert "policywatch.toml: materiality.always_material: must be a list of non-empty strings, got 5" in result.output


def test_the_database_section_refuses_a_wrong_type_and_names_an_unknown_key(tmp_path, monkeypatch):
    from policywatch.store import database_url

    monkeypatch.delenv("POLICYWATCH_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match=r"^policywatch\.toml \[database\]: url: must be a string, got 5$"):
        database_url(tmp_path, {"url": 5}, source="policywatch.toml")
    with pytest.raises(ConfigError, match=r"^policywatch\.toml \[database\]: unknown key 'password'"):
        database_url(tmp_path, {"url": "sqlite:///x.db", "password": "hunter2"}, source="policywatch.toml")


@pytest.mark.parametrize("reader", ["notify", "serve"])
def test_every_reader_of_the_site_section_names_an_unknown_key(tmp_path, reader):
    from policywatch.audience.runner import require_links
    from policywatch.audience.service.app import link_path
    from policywatch.project import Project

    config = _config({"site": {"base_url": "https://example.com/", "titel": "Policies"}})
    read = require_links if reader == "notify" else link_path
    with pytest.raises(SiteConfigError, match=r"^policywatch\.toml \[site\]: unknown key 'titel'"):
        read(Project(tmp_path, config))


@pytest.mark.parametrize("command", ["check", "status"])
def test_check_and_status_name_an_unknown_site_key_even_when_nothing_changed(policy_repo, in_repo, command):
    from tests._publish_support import run

    in_repo(policy_repo)
    policy_repo.commit("Site", {"policywatch.toml": '[site]\nbase_ulr = "https://example.com/"\n'})
    result = run(command)
    assert result.exit_code != 0
    assert "policywatch.toml [site]: unknown key 'base_ulr'" in result.stderr
