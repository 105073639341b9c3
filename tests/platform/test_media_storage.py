"""GONGKAI_MEDIA_STORAGE=s3: the settings build a private S3 storage whose every object is written with
``Content-Disposition: attachment``; a missing bucket or key is one Chinese line and exit status 2. No S3 server is
contacted (the storage is only configured and asked for its write parameters)."""

from __future__ import annotations

import importlib.util

import pytest

from tests.cli import run_gongkai

S3 = {
    "GONGKAI_MEDIA_STORAGE": "s3",
    "GONGKAI_S3_BUCKET": "gongkai-media",
    "GONGKAI_S3_ENDPOINT_URL": "http://127.0.0.1:9",
    "GONGKAI_S3_ACCESS_KEY_ID": "test-access",
    "GONGKAI_S3_SECRET_ACCESS_KEY": "test-secret",
}
PROBE = (
    "from django.core.files.storage import storages; s = storages['default'];"
    "print(type(s).__name__, s.bucket_name, s.default_acl, s.querystring_auth, s.file_overwrite, s.location);"
    "print(s._get_write_parameters('cases/申请材料.pdf'))"
)


@pytest.mark.skipif(importlib.util.find_spec("storages") is None, reason="the optional extra 's3' is not installed")
def test_s3_storage_is_private_and_writes_attachments(tmp_path: object) -> None:
    done = run_gongkai("manage", "shell", "-c", PROBE, env={"GONGKAI_VAR_DIR": str(tmp_path), **S3})
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.strip().splitlines()[-2:]
    assert first == "S3Storage gongkai-media private True False media"
    assert "'ContentDisposition': 'attachment'" in second
    assert "'ContentType': 'application/pdf'" in second


def test_local_storage_by_default(tmp_path: object) -> None:
    probe = "from django.core.files.storage import storages; s = storages['default']; print(type(s).__name__)"
    done = run_gongkai("manage", "shell", "-c", probe, env={"GONGKAI_VAR_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "FileSystemStorage"


@pytest.mark.parametrize(
    ("missing", "value"),
    [("GONGKAI_S3_BUCKET", ""), ("GONGKAI_S3_SECRET_ACCESS_KEY", ""), ("GONGKAI_S3_ENDPOINT_URL", "minio:9000")],
)
def test_bad_s3_settings_fail_in_one_line(tmp_path: object, missing: str, value: str) -> None:
    env = {"GONGKAI_VAR_DIR": str(tmp_path), **S3, missing: value}
    done = run_gongkai("manage", "check", env=env)
    assert done.returncode == 2
    assert missing in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
