"""The operator commands against moto: catalogue put/list/remove and the subscriber export."""

from __future__ import annotations

import io
import json

import pytest

from ops import catalog as catalog_command
from ops import subscribers as subscribers_command
from tests.videos_support import MEDIA_BYTES, principal_of, record, upload_media

OPTIONS = ["--table", "portal-test", "--bucket", "portal-test-media", "--region", "eu-west-1"]


def run(command, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = command.main([*OPTIONS[: 2 if command is subscribers_command else 6], *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path, document) -> str:
    path = tmp_path / "videos.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def catalogue_items(aws) -> list[str]:
    return sorted(i["pk"]["S"] for i in aws.items() if i["pk"]["S"].startswith("VIDEO#"))


def test_put_validates_every_record_and_writes_nothing_when_one_is_wrong(aws, tmp_path):
    upload_media()
    broken = record("second", "2025-02-01T00:00:00Z", durationSeconds=0)
    code, out, err = run(
        catalog_command, "put", write(tmp_path, [record("first", "2025-01-01T00:00:00Z"), broken, {"id": "x"}])
    )
    assert code == 1 and out == ""
    assert "videos[1] (second): durationSeconds:" in err and "videos[2] (x): title: Field required" in err
    assert catalogue_items(aws) == []


def test_put_checks_that_every_rendition_exists_with_its_size(aws, tmp_path):
    upload_media()
    missing = record("missing", "2025-01-01T00:00:00Z")
    missing["renditions"][1]["key"] = "media/test/absent.m4a"
    wrong_size = record("wrong-size", "2025-01-02T00:00:00Z")
    wrong_size["renditions"][0]["size"] = 5
    code, _, err = run(catalog_command, "put", write(tmp_path, {"videos": [missing, wrong_size]}))
    assert code == 1
    assert "missing/audio: s3://portal-test-media/media/test/absent.m4a does not exist" in err
    assert f"wrong-size/full_hd: size is 5 but the object has {len(MEDIA_BYTES)} bytes" in err
    assert catalogue_items(aws) == []


def test_put_list_update_and_remove(aws, tmp_path):
    upload_media()
    document = [record("older", "2025-01-01T00:00:00Z"), record("newer", "2025-03-01T00:00:00Z")]
    assert run(catalog_command, "put", write(tmp_path, document)) == (0, "put older\nput newer\n", "")
    code, out, _ = run(catalog_command, "list")
    assert code == 0 and [line.split()[1] for line in out.splitlines()] == ["newer", "older"]

    document[0]["title"] = "Older, renamed"
    assert run(catalog_command, "put", write(tmp_path, document[:1]))[0] == 0
    code, out, _ = run(catalog_command, "list", "--json")
    assert [v["title"] for v in json.loads(out)] == ["Video newer", "Older, renamed"]

    code, out, err = run(catalog_command, "remove", "older", "ghost")
    assert code == 1 and out == "removed older\n" and "no video 'ghost'" in err
    assert catalogue_items(aws) == ["VIDEO#newer"]


def test_a_file_that_is_not_json_is_refused(aws, tmp_path):
    path = tmp_path / "videos.json"
    path.write_text("{not json", encoding="utf-8")
    code, _, err = run(catalog_command, "put", str(path))
    assert code == 1 and "cannot read" in err


def test_a_missing_table_is_one_line_and_exit_3(aws):
    out, err = io.StringIO(), io.StringIO()
    assert catalog_command.main(["--table", "no-such-table", "--region", "eu-west-1", "list"], out=out, err=err) == 3
    assert err.getvalue().startswith("AWS failed: DynamoDB: ResourceNotFoundException")
    assert (
        subscribers_command.main(["--table", "no-such-table", "--region", "eu-west-1", "export"], out=out, err=err) == 3
    )


def test_the_table_is_required(aws, monkeypatch):
    monkeypatch.delenv("PORTAL_TABLE_NAME")
    with pytest.raises(SystemExit) as exited:
        catalog_command.main(["list"], out=io.StringIO(), err=io.StringIO())
    assert exited.value.code == 2


def test_subscribers_export_lists_current_subscribers_with_their_language(api, aws):
    for address, language in (("ann@example.org", "fr"), ("bob@example.org", "en"), ("cy@example.org", "en")):
        api.confirmed_account(address)
        api.call("newsletter_update", {"subscribed": True, "language": language}, principal=principal_of(aws, address))
    api.call("newsletter_update", {"subscribed": False}, principal=principal_of(aws, "cy@example.org"))
    api.register("dan@example.org")  # unconfirmed, never subscribed

    code, out, err = run(subscribers_command, "export", "--format", "csv")
    assert code == 0 and err == "2 subscriber(s)\n"
    lines = out.splitlines()
    assert lines[0] == "email,language,consentAt,source,sub"
    assert sorted(line.split(",")[:2] for line in lines[1:]) == [["ann@example.org", "fr"], ["bob@example.org", "en"]]

    code, out, _ = run(subscribers_command, "export", "--format", "json")
    exported = json.loads(out)
    assert {row["email"]: row["language"] for row in exported} == {"ann@example.org": "fr", "bob@example.org": "en"}
    assert all(row["source"] == "account" and row["consentAt"] for row in exported)
