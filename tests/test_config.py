"""Settings: where they are read from, and errors that name the key."""

import pytest

from policywatch.config import Config, load_config
from policywatch.errors import ConfigError


def test_defaults_without_any_file(tmp_path):
    config = load_config(tmp_path)
    assert (config.policies, config.notice_days, config.tag_format) == ("policies", 30, "{slug}/v{version}")


def test_policywatch_toml_is_read(tmp_path):
    (tmp_path / "policywatch.toml").write_text('policies = "legal"\nnotice_days = 0\n')
    config = load_config(tmp_path)
    assert (config.policies, config.notice_days, config.source) == ("legal", 0, "policywatch.toml")


def test_pyproject_tool_table_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.policywatch]\nnotice_days = 45\n')
    assert load_config(tmp_path).notice_days == 45


def test_policywatch_toml_wins_over_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.policywatch]\nnotice_days = 45\n")
    (tmp_path / "policywatch.toml").write_text("notice_days = 10\n")
    assert load_config(tmp_path).notice_days == 10


@pytest.mark.parametrize("order", ["dmy", "mdy"])
def test_date_order_is_read(tmp_path, order):
    (tmp_path / "policywatch.toml").write_text(f'date_order = "{order}"\n')
    assert load_config(tmp_path).date_order == order


def test_date_order_is_unset_by_default(tmp_path):
    assert load_config(tmp_path).date_order is None


def test_sections_owned_by_other_modules_are_kept(tmp_path):
    (tmp_path / "policywatch.toml").write_text('[email]\nfrom = "legal@example.com"\n')
    assert load_config(tmp_path).section("email") == {"from": "legal@example.com"}
    assert Config().section("email") == {}


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('notice_days = "thirty"', "notice_days: must be a whole number, got 'thirty'"),
        ("notice_days = true", "notice_days: must be a whole number"),
        ("notice_days = -1", "notice_days: must be 0 or more"),
        ('tag_format = "v{version}"', "tag_format: must contain {slug} and {version}"),
        ('tag_format = "{slug}/{version}/{x}"', "tag_format: only {slug} and {version} may stand in braces"),
        ('tag_format = "-{slug}/v{version}"', "tag_format: '-{slug}/v{version}' cannot name a git tag"),
        ('tag_format = "{slug}..v{version}"', "tag_format: '{slug}..v{version}' cannot name a git tag"),
        ('tag_format = "{slug} v{version}"', "tag_format: '{slug} v{version}' cannot name a git tag"),
        ('policies = "../elsewhere"', "policies: must be a folder inside the repository"),
        ("notice_dayz = 3", "unknown key 'notice_dayz'"),
        ("review_months = 0", "review_months: must be 1 or more"),
        ("notice_days = ", "invalid TOML"),
        ('date_order = "ymd"', 'date_order: must be "dmy"'),
        ("date_order = 1", "date_order: must be a string"),
    ],
)
def test_invalid_settings_name_the_file_and_key(tmp_path, toml, message):
    (tmp_path / "policywatch.toml").write_text(toml + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith("policywatch.toml: ")
    assert message in str(info.value)
